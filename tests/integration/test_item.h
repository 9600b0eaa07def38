#pragma once

// The licence item the intake tests apply for (tests/unit/intake_guide.h),
// published to a Stack's real catalog.

#include <cstdint>

#include "libs/client/channels.h"
#include "libs/testing/stack.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "tests/integration/require_ok.h"
#include "tests/unit/intake_guide.h"

namespace onewindow::testing {

// Publishes intake::test's item as the platform admin; the revision to
// apply against. The running test case ends if the catalog refuses it.
inline int64_t PublishTestItem(const Stack& stack) {
  auto catalog =
      catalog::v1::CatalogService::NewStub(client::MakeChannel(stack.Address("catalog")));
  return RequireOk(intake::test::PublishTestItem(catalog.get(), stack.AdminToken()));
}

}  // namespace onewindow::testing
