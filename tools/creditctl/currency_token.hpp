// The currency tokens Meta's rate-card files write in their Currency column ("$US", "€", "₹"...),
// mapped to ISO 4217 codes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace creditgate::admin {

// The ISO 4217 code of `token` (already trimmed): any 3 uppercase ASCII letters are taken as the
// code itself; otherwise the token must be one of this table (exact bytes, UTF-8):
//   USD  $US  US$  "US $"  "$ US"
//   EUR  €           GBP  £          INR  ₹          IDR  Rp
//   AUD  A$   AU$        MXN  MX$  Mex$   BRL  R$         CAD  C$  CA$    SGD  S$
//   HKD  HK$             NZD  NZ$         ARS  AR$        COP  COL$  CO$  CLP  CLP$  CL$
//   PEN  S/   S/.        JPY  JP¥         CNY  CN¥        KRW  ₩          ILS  ₪
//   TRY  ₺               RUB  ₽           NGN  ₦          PHP  ₱          THB  ฿
//   VND  ₫
// A bare "$", "¥", "R" or "Rs" is refused: several currencies write it.
std::optional<std::string> isoCurrencyOf(std::string_view token);

}  // namespace creditgate::admin
