#pragma once

#include <vector>

#include "libs/store/database.h"

namespace onewindow::complaint {

const std::vector<store::Migration>& ComplaintMigrations();

}  // namespace onewindow::complaint
