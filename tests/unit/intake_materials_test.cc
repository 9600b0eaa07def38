// Materials: type from the content, limits, content-addressed durable
// storage, nothing half-written, and who may read them.
#include <dirent.h>
#include <sys/stat.h>

#include <fstream>

#include "absl/strings/match.h"
#include "services/intake/file_type.h"
#include "tests/unit/intake_fixture.h"

namespace onewindow::intake::test {
namespace {

// A minimal ZIP holding one stored (uncompressed) entry named `name`.
std::string ZipWith(const std::string& name, const std::string& content) {
  auto le16 = [](std::string& out, uint16_t v) {
    out.push_back(static_cast<char>(v & 0xff));
    out.push_back(static_cast<char>(v >> 8));
  };
  auto le32 = [&](std::string& out, uint32_t v) {
    le16(out, static_cast<uint16_t>(v & 0xffff));
    le16(out, static_cast<uint16_t>(v >> 16));
  };
  std::string zip;
  le32(zip, 0x04034b50);
  le16(zip, 20);
  le16(zip, 0);
  le16(zip, 0);
  le16(zip, 0);
  le16(zip, 0);
  le32(zip, 0);  // CRC: no reader here checks it.
  le32(zip, static_cast<uint32_t>(content.size()));
  le32(zip, static_cast<uint32_t>(content.size()));
  le16(zip, static_cast<uint16_t>(name.size()));
  le16(zip, 0);
  zip += name + content;
  const uint32_t directory_offset = static_cast<uint32_t>(zip.size());
  std::string directory;
  le32(directory, 0x02014b50);
  le16(directory, 20);
  le16(directory, 20);
  for (int i = 0; i < 4; ++i) le16(directory, 0);
  le32(directory, 0);
  le32(directory, static_cast<uint32_t>(content.size()));
  le32(directory, static_cast<uint32_t>(content.size()));
  le16(directory, static_cast<uint16_t>(name.size()));
  le16(directory, 0);
  le16(directory, 0);
  le16(directory, 0);
  le16(directory, 0);
  le32(directory, 0);
  le32(directory, 0);  // Local header offset.
  directory += name;
  zip += directory;
  le32(zip, 0x06054b50);
  le16(zip, 0);
  le16(zip, 0);
  le16(zip, 1);
  le16(zip, 1);
  le32(zip, static_cast<uint32_t>(directory.size()));
  le32(zip, directory_offset);
  le16(zip, 0);
  return zip;
}

int FilesUnder(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return 0;
  int n = 0;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;
    n += S_ISDIR(st.st_mode) ? FilesUnder(path) : 1;
  }
  ::closedir(d);
  return n;
}

std::string ReadAll(BlobStore::Reader& reader) {
  std::string out;
  while (true) {
    auto chunk = reader.Read(5);
    REQUIRE(chunk.ok());
    if (chunk->empty()) return out;
    out += *chunk;
  }
}

TEST_CASE("the type is read from the content's signature, never the name") {
  CHECK(SniffPrefix("%PDF-1.4") == FileType::kPdf);
  CHECK(SniffPrefix("\xFF\xD8\xFF\xE0xxxx") == FileType::kJpeg);
  CHECK(SniffPrefix(PngBytes().substr(0, 8)) == FileType::kPng);
  CHECK(SniffPrefix("PK\x03\x04xxxx") == FileType::kOfd);
  CHECK(SniffPrefix("MZ\x90\x00xxxx") == FileType::kUnknown);

  World w;
  const auto citizen = Citizen("acc_a");
  auto pdf = w.TryUpload(citizen, PdfBytes(), "", "photo.jpg");
  REQUIRE(pdf.ok());
  CHECK(pdf->content_type() == "application/pdf");
  CHECK(pdf->file_name() == "photo.jpg");
  auto jpeg = w.TryUpload(citizen, std::string("\xFF\xD8\xFF\xE0\0\x10JFIF", 10));
  REQUIRE(jpeg.ok());
  CHECK(jpeg->content_type() == "image/jpeg");
  auto exe = w.TryUpload(citizen, "MZ\x90\x00 this is a program", "", "scan.pdf");
  CHECK(exe.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(exe.status().message(), "not a PDF, JPEG, PNG or OFD"));
  auto tiny = w.TryUpload(citizen, "%PD");
  CHECK(tiny.status().code() == absl::StatusCode::kInvalidArgument);
  auto empty = w.TryUpload(citizen, "");
  CHECK(absl::StrContains(empty.status().message(), "empty"));
}

TEST_CASE("an OFD document is a ZIP package with OFD.xml, any other ZIP is refused") {
  World w;
  const auto citizen = Citizen("acc_a");
  auto ofd = w.TryUpload(citizen, ZipWith("OFD.xml", "<ofd:OFD/>"), "", "licence.ofd");
  INFO(ofd.status().ToString());
  REQUIRE(ofd.ok());
  CHECK(ofd->content_type() == "application/ofd");
  auto docx = w.TryUpload(citizen, ZipWith("word/document.xml", "<w/>"), "", "licence.ofd");
  CHECK(docx.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(docx.status().message(), "not an OFD document"));
  auto broken = w.TryUpload(citizen, "PK\x03\x04 and then nothing a ZIP has", "", "x.ofd");
  CHECK(broken.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a file over the size limit is refused and leaves nothing behind") {
  World w({64, 1 << 20, 50});
  auto big = w.TryUpload(Citizen("acc_a"), PdfBytes(std::string(100, 'x')));
  CHECK(big.status().code() == absl::StatusCode::kOutOfRange);
  CHECK(absl::StrContains(big.status().message(), "larger than 64 bytes"));
  CHECK(FilesUnder(w.dir.path() + "/materials") == 0);
  CHECK(w.Count("SELECT COUNT(*) FROM materials") == 0);
}

TEST_CASE("stored files are named by their SHA-256 and equal contents share one file") {
  World w;
  const auto a = w.Upload(Citizen("acc_a"), PdfBytes("same"));
  const auto b = w.Upload(Citizen("acc_b"), PdfBytes("same"));
  CHECK(a.material_id() != b.material_id());
  CHECK(a.sha256() == b.sha256());
  // sha256 of "%PDF-1.7\nsame\n%%EOF\n", computed with Python's hashlib.
  CHECK(a.sha256() == "2d33470805ffe00c9b568064846382dfd39339e1ea9fd983bda84ea85f9de99f");
  const std::string path = w.blobs->PathFor(a.sha256());
  CHECK(absl::StrContains(path, "/materials/" + a.sha256().substr(0, 2) + "/" + a.sha256()));
  std::ifstream file(path, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  CHECK(content == PdfBytes("same"));
  CHECK(FilesUnder(w.dir.path() + "/materials") == 1);
  CHECK(a.size_bytes() == static_cast<int64_t>(PdfBytes("same").size()));
}

TEST_CASE("an upload abandoned midway leaves no file, and crash leftovers go at start") {
  testing::TempDir dir;
  const std::string root = dir.path() + "/materials";
  {
    auto store = BlobStore::Open(root);
    REQUIRE(store.ok());
    auto writer = (*store)->NewWriter();
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Append("%PDF-1.7 half of a file").ok());
    CHECK(FilesUnder(root) == 1);  // Only in tmp/.
  }
  CHECK(FilesUnder(root) == 0);
  // A crash leaves a temp file behind: the next start removes it.
  { std::ofstream(root + "/tmp/deadbeef") << "%PDF-1.7 interrupted"; }
  CHECK(FilesUnder(root) == 1);
  auto reopened = BlobStore::Open(root);
  REQUIRE(reopened.ok());
  CHECK(FilesUnder(root) == 0);
}

TEST_CASE("the owner, the uploading clerk and the handling department read a material") {
  World w;
  const auto clerk = Staff("acc_clerk", kOtherDepartment, "clerk");
  const auto m = w.Upload(clerk, PdfBytes("walk-in"), "acc_walkin");
  for (const auto& reader : {Citizen("acc_walkin"), clerk}) {
    auto opened = w.materials->Open(reader, m.material_id());
    REQUIRE(opened.ok());
    CHECK(opened->material.sha256() == m.sha256());
    CHECK(ReadAll(*opened->content) == PdfBytes("walk-in"));
  }
  CHECK(w.materials->Open(Citizen("acc_b"), m.material_id()).status().code() ==
        absl::StatusCode::kNotFound);
  // The handling department only once it is part of one of its applications.
  const auto reviewer = Staff("acc_r", kDepartment, "reviewer");
  CHECK(w.materials->Get(reviewer, m.material_id()).status().code() == absl::StatusCode::kNotFound);
  const auto licence = w.Upload(clerk, PdfBytes("licence"), "acc_walkin");
  auto request = World::Request("k", m.material_id(), licence.material_id());
  request.set_applicant_id("acc_walkin");
  request.set_applicant_kind(catalog::v1::NATURAL_PERSON);
  REQUIRE(w.applications->Submit(clerk, request).ok());
  CHECK(w.materials->Get(reviewer, m.material_id()).ok());
}

TEST_CASE("uploads come from applicants for themselves and from clerks for walk-ins") {
  World w;
  intake::v1::UploadHeader header;
  header.set_applicant_id("acc_b");
  CHECK(w.materials->Begin(Citizen("acc_a"), header).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(w.materials->Begin(Staff("s", kDepartment, "reviewer"), header).status().code() ==
        absl::StatusCode::kPermissionDenied);
  header.clear_applicant_id();
  CHECK(w.materials->Begin(Staff("s", kDepartment, "clerk"), header).status().code() ==
        absl::StatusCode::kInvalidArgument);
  header.set_file_name("C:\\scans\\身份证.pdf");
  auto m = w.TryUpload(Citizen("acc_a"), PdfBytes(), "", header.file_name());
  REQUIRE(m.ok());
  CHECK(m->file_name() == "身份证.pdf");
}

TEST_CASE(
    "uploads in progress are bounded per uploader and in all, and an ended one frees its place") {
  MaterialLimits limits;
  limits.max_uploads_in_progress = 3;
  limits.max_uploads_per_uploader = 2;
  World w(limits);
  const intake::v1::UploadHeader header;
  auto a1 = w.materials->Begin(Citizen("acc_a"), header);
  auto a2 = w.materials->Begin(Citizen("acc_a"), header);
  REQUIRE(a1.ok());
  REQUIRE(a2.ok());
  auto a3 = w.materials->Begin(Citizen("acc_a"), header);
  CHECK(a3.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK(absl::StrContains(a3.status().message(),
                          "this account already has 2 uploads in progress, the most allowed"));

  // Another applicant still gets a place, until everyone's places are taken.
  auto b1 = w.materials->Begin(Citizen("acc_b"), header);
  REQUIRE(b1.ok());
  auto b2 = w.materials->Begin(Citizen("acc_b"), header);
  CHECK(b2.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK(absl::StrContains(b2.status().message(),
                          "intake already has 3 uploads in progress, the most it takes"));
  // A finished upload and an abandoned one each give their place back.
  REQUIRE((*a1)->Append(PdfBytes()).ok());
  REQUIRE((*a1)->Finish().ok());
  a1->reset();
  CHECK(w.materials->Begin(Citizen("acc_a"), header).ok());
  a2->reset();
  b1->reset();
  CHECK(w.TryUpload(Citizen("acc_a"), PdfBytes()).ok());
  auto again1 = w.materials->Begin(Citizen("acc_a"), header);
  auto again2 = w.materials->Begin(Citizen("acc_a"), header);
  CHECK(again1.ok());
  CHECK(again2.ok());
}

}  // namespace
}  // namespace onewindow::intake::test
