// The portal's stylesheet and script (server/portal/static/), compiled into the server so that it
// serves them itself: no CDN, no files to install beside the binary.
#pragma once

#include <string_view>

namespace creditgate::server {

std::string_view portalCss() noexcept;
std::string_view portalJs() noexcept;
std::string_view portalFavicon() noexcept;  // SVG

}  // namespace creditgate::server
