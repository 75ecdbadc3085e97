// Portal passwords (the billing portal's users, sql/018): Argon2id through libsodium's
// crypto_pwhash_str. The stored text is the PHC string ("$argon2id$v=19$m=65536,t=2,p=1$salt$hash")
// that carries its own salt and cost, so a later, costlier setting still verifies the old hashes.
// Passwords are made by creditctl (generatePassword) and shown once, like API keys: no password a
// person chose reaches this code yet.
#pragma once

#include <string>
#include <string_view>

namespace creditgate::server {

// Argon2id with libsodium's "interactive" cost (2 passes over 64 MiB): about 0.1 s on one core
// of the machine the benchmarks run on, above OWASP's minimum (19 MiB, 2 passes). Throws
// std::runtime_error when the memory cannot be had.
std::string hashPassword(std::string_view password);

// Whether `password` is the one `stored_hash` was made from (constant time in the password).
// false for a stored text that is not an Argon2id hash.
bool passwordMatches(std::string_view stored_hash, std::string_view password);

// Whether `stored_hash` is an Argon2id PHC string of this module's making (the database's CHECK).
bool isArgon2idHash(std::string_view stored_hash);

// 20 characters from an alphabet without look-alikes (no 0/o/O, 1/l/I): about 116 random bits.
std::string generatePassword();

}  // namespace creditgate::server
