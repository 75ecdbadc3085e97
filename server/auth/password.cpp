#include "password.hpp"

#include <sodium.h>

#include <cstdint>
#include <stdexcept>

namespace creditgate::server {
namespace {

constexpr std::string_view kArgon2idPrefix = "$argon2id$";
// 56 characters: letters and digits without 0, o, O, 1, l, I (a password is read off a screen);
// 20 of them are about 116 random bits.
constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
constexpr int kPasswordLength = 20;

void initialiseSodium() {
  // Safe to call from any thread, any number of times; -1 only if the library cannot start.
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace

std::string hashPassword(std::string_view password) {
  initialiseSodium();
  char stored[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(stored, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("hashing the password needs 64 MiB of memory, which is not available");
  }
  return stored;
}

bool passwordMatches(std::string_view stored_hash, std::string_view password) {
  if (!isArgon2idHash(stored_hash)) return false;
  initialiseSodium();
  const std::string terminated(stored_hash);  // libsodium reads a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool isArgon2idHash(std::string_view stored_hash) {
  return stored_hash.starts_with(kArgon2idPrefix) && stored_hash.size() < crypto_pwhash_STRBYTES;
}

std::string generatePassword() {
  initialiseSodium();
  std::string password;
  for (int i = 0; i < kPasswordLength; ++i) {
    password += kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
  }
  return password;
}

}  // namespace creditgate::server
