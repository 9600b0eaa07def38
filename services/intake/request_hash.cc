#include "services/intake/request_hash.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format.h>
#include <openssl/evp.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace onewindow::intake {
namespace {

using google::protobuf::internal::WireFormat;
using google::protobuf::io::CodedInputStream;

// Fetched once: EVP_sha256() makes every digest look the algorithm up in
// the provider store again, under its lock.
const EVP_MD* Sha256() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

// Moves `input` past the value of a field with `tag`; false on a group,
// which only an unknown field can be.
bool SkipValue(CodedInputStream& input, uint32_t tag) {
  switch (tag & 7) {
    case 0: {
      uint64_t ignored;
      return input.ReadVarint64(&ignored);
    }
    case 1:
      return input.Skip(8);
    case 2: {
      uint32_t length;
      return input.ReadVarint32(&length) && input.Skip(static_cast<int>(length));
    }
    case 5:
      return input.Skip(4);
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<std::string> RequestHash(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  // The key's tag, wire type included: an unknown field that reuses its
  // number with another wire type is part of the body, as before.
  const auto* field = request.GetDescriptor()->FindFieldByName("request_id");
  const uint32_t skipped = field == nullptr ? 0 : WireFormat::MakeTag(field);

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), Sha256(), nullptr) != 1) {
    return absl::InternalError("request hash: OpenSSL could not start a SHA-256 digest");
  }
  // The serialisation minus the request_id field's bytes is exactly the
  // serialisation of the request with request_id cleared (fields go out
  // one after another, in field-number order), without copying the request
  // to clear it.
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  CodedInputStream input(data, static_cast<int>(bytes.size()));
  int kept_from = 0;
  bool updated = true;
  for (;;) {
    const int start = input.CurrentPosition();
    const uint32_t tag = input.ReadTag();
    if (tag == 0) break;
    // Unknown fields go out last, after request_id: the rest is kept whole.
    if (!SkipValue(input, tag)) break;
    if (tag != skipped) continue;
    updated &= EVP_DigestUpdate(ctx.get(), data + kept_from, start - kept_from) == 1;
    kept_from = input.CurrentPosition();
  }
  updated &= EVP_DigestUpdate(ctx.get(), data + kept_from, bytes.size() - kept_from) == 1;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!updated || EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
    return absl::InternalError("request hash: OpenSSL failed computing a SHA-256 digest");
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace onewindow::intake
