#pragma once

#include <vector>

#include "libs/store/database.h"

namespace onewindow::identity {

const std::vector<store::Migration>& IdentityMigrations();

}  // namespace onewindow::identity
