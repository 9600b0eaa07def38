#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace onewindow::notification {

// The events other services send and the parameters they pass with each.
// A template may use only its event type's placeholders and must use the
// required ones: a "not accepted" notice without its reason, or a
// supplement request without the list of materials (一次性告知), fails the
// citizen.
struct EventTypeSpec {
  std::string type;
  std::vector<std::string> placeholders;
  std::vector<std::string> required;
};

// Every known event type, sorted by type.
const std::vector<EventTypeSpec>& EventTypes();

// nullptr for an unknown type.
const EventTypeSpec* FindEventType(absl::string_view type);

// Every parameter name any event type uses.
const std::vector<std::string>& KnownParams();

}  // namespace onewindow::notification
