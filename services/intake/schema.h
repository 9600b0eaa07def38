#pragma once

#include <vector>

#include "libs/store/database.h"

namespace onewindow::intake {

const std::vector<store::Migration>& IntakeMigrations();

}  // namespace onewindow::intake
