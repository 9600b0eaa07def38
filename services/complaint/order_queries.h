#pragma once

#include "absl/status/statusor.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/complaint/v1/complaint.pb.h"
#include "services/complaint/categories.h"
#include "services/complaint/order_writer.h"

namespace onewindow::complaint {

// Reads of work orders, each shown as its reader may see it (access.h).
class OrderQueries {
 public:
  OrderQueries(Env env, const Categories* categories) : env_(env), categories_(categories) {}

  // NOT_FOUND for an order the caller may not see, exactly as for a
  // missing one.
  absl::StatusOr<complaint::v1::WorkOrder> Get(const auth::v1::Principal* caller,
                                               const std::string& id) const;
  // The caller's own orders, newest first.
  absl::StatusOr<complaint::v1::ListWorkOrdersResponse> ListMine(
      const auth::v1::Principal& caller,
      const complaint::v1::ListMyWorkOrdersRequest& request) const;
  // Dispatchers only.
  absl::StatusOr<complaint::v1::ListWorkOrdersResponse> ListQueue(
      const auth::v1::Principal& caller,
      const complaint::v1::ListDispatchQueueRequest& request) const;
  // The department's complaint handlers, dispatchers, operators and
  // platform admins.
  absl::StatusOr<complaint::v1::ListWorkOrdersResponse> ListDepartment(
      const auth::v1::Principal& caller,
      const complaint::v1::ListDepartmentWorkOrdersRequest& request) const;

  // What anyone may see of an order filed through Open311; NOT_FOUND for
  // every other order.
  absl::StatusOr<complaint::v1::PublicWorkOrder> GetPublic(const std::string& id) const;
  absl::StatusOr<complaint::v1::ListPublicWorkOrdersResponse> ListPublic(
      const complaint::v1::ListPublicWorkOrdersRequest& request) const;

 private:
  complaint::v1::PublicWorkOrder ToPublic(const complaint::v1::WorkOrder& order) const;

  Env env_;
  const Categories* categories_;
};

}  // namespace onewindow::complaint
