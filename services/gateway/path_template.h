#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::gateway {

// One path variable's value, percent-decoded, keyed by the request field it
// fills ("code", "material.id").
struct PathBinding {
  std::string field_path;
  std::string value;

  bool operator==(const PathBinding& other) const {
    return field_path == other.field_path && value == other.value;
  }
};

// A route's path pattern: "/api/v1/applications/{application_id}/materials/{material.id}".
// Each segment is either a literal or a whole-segment variable naming a
// (possibly dotted) request field. Catch-alls ({name=**}), partial-segment
// variables and custom verbs are deliberately unsupported: none of our routes
// need them and each one makes matching ambiguous.
class PathTemplate {
 public:
  struct Segment {
    bool is_variable = false;
    // The literal text, or the variable's dotted field path.
    std::string text;
  };

  // Rejects anything that is not "/" followed by non-empty segments of
  // URL-safe literal characters or "{field.path}" variables; a variable may
  // appear only once.
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  // As written in the proto; also the OpenAPI path key (same "{name}" syntax).
  const std::string& text() const { return text_; }
  const std::vector<Segment>& segments() const { return segments_; }
  // Field paths of the variables, in path order.
  std::vector<std::string> variables() const;

  // Matches already split, percent-decoded segments (see SplitPath). A
  // variable never matches an empty segment.
  std::optional<std::vector<PathBinding>> MatchSegments(
      const std::vector<std::string>& segments) const;
  // Convenience for a raw request path; no match on malformed escapes.
  std::optional<std::vector<PathBinding>> Match(absl::string_view path) const;

  // True when both have the same literals and variables in the same places,
  // whatever the variables are called: two such templates always match the
  // same requests.
  bool SameShape(const PathTemplate& other) const;

  // Orders templates so that the first to match a path is the most specific:
  // at the first segment where one has a literal and the other a variable,
  // the literal one comes first. Ties break on the text for a stable order.
  static bool MoreSpecific(const PathTemplate& a, const PathTemplate& b);

 private:
  std::string text_;
  std::vector<Segment> segments_;
};

// Percent-decodes. `plus_as_space` is for query strings
// (application/x-www-form-urlencoded); in paths '+' is literal. Fails on a
// '%' not followed by two hex digits. The result may be any bytes: callers
// that need text check UTF-8 themselves.
absl::StatusOr<std::string> PercentDecode(absl::string_view in, bool plus_as_space);

// Splits an absolute request path ("/a/b%2Fc") into decoded segments
// ({"a", "b/c"}): splitting comes first so an encoded '/' stays data. "/" is
// no segments. Fails if the path does not start with '/' or an escape is
// malformed.
absl::StatusOr<std::vector<std::string>> SplitPath(absl::string_view path);

// Splits an HTTP request-target "/p?q#f" into path and query (fragment
// dropped; browsers do not send one, but a hand-written client might).
std::pair<absl::string_view, absl::string_view> SplitRequestTarget(absl::string_view target);

}  // namespace onewindow::gateway
