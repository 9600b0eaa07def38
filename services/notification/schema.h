#pragma once

#include <vector>

#include "libs/store/database.h"

namespace onewindow::notification {

const std::vector<store::Migration>& NotificationMigrations();

}  // namespace onewindow::notification
