#pragma once

#include <ostream>

#include "onewindow/approval/v1/approval.pb.h"

// How ow_dept shows approval's answers to people. Times are China Standard
// Time, as staff read them.
namespace onewindow::ow_dept {

void PrintQueue(const approval::v1::ListQueueResponse& queue, std::ostream& out);
void PrintTask(const approval::v1::Task& task, std::ostream& out);
void PrintCase(const approval::v1::Case& c, std::ostream& out);
void PrintDetail(const approval::v1::CaseDetail& detail, std::ostream& out);
void PrintDecision(const approval::v1::DecisionResponse& decision, std::ostream& out);
void PrintAudit(const google::protobuf::RepeatedPtrField<approval::v1::AuditEntry>& entries,
                std::ostream& out);

}  // namespace onewindow::ow_dept
