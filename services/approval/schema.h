#pragma once

#include <vector>

#include "libs/store/database.h"

namespace onewindow::approval {

const std::vector<store::Migration>& ApprovalMigrations();

}  // namespace onewindow::approval
