#pragma once

#include <vector>

#include "libs/store/database.h"

namespace onewindow::catalog {

// The catalog's numbered migrations. Append; never edit a released one.
const std::vector<store::Migration>& CatalogMigrations();

}  // namespace onewindow::catalog
