#include "services/notification/shipped_templates.h"

namespace onewindow::notification {
namespace {

struct Text {
  const char* type;
  const char* zh_title;
  const char* zh_body;
  const char* zh_sms;
  const char* en_title;
  const char* en_body;
  const char* en_sms;
};

// Chinese SMS carry their sender's signature in 【】 first, as carriers require.
constexpr Text kTexts[] = {
    {"application.submitted", "申请已提交",
     "您的{item_name}申请（编号{number}）已提交，我们会尽快受理。",
     "【一网通办】您的{item_name}申请（编号{number}）已提交。", "Application submitted",
     "Your application for {item_name} (no. {number}) has been submitted and will be considered "
     "for acceptance soon.",
     "[OneWindow] Your application {number} for {item_name} has been submitted."},
    {"application.accepted", "申请已受理",
     "您的{item_name}申请（编号{number}）已受理，承诺办结日期：{due_date}。",
     "【一网通办】您的申请{number}已受理，承诺{due_date}前办结。", "Application accepted",
     "Your application for {item_name} (no. {number}) has been accepted. A decision is promised "
     "by {due_date}.",
     "[OneWindow] Application {number} accepted; decision promised by {due_date}."},
    {"application.not_accepted", "申请不予受理",
     "您的{item_name}申请（编号{number}）不予受理。理由：{reason}"
     "。如有疑问，请咨询办理窗口或拨打12345。",
     "【一网通办】您的申请{number}不予受理，理由：{reason}。", "Application not accepted",
     "Your application for {item_name} (no. {number}) was not accepted. Reason: {reason}. Ask at "
     "the service window or call 12345 with any questions.",
     "[OneWindow] Application {number} was not accepted. Reason: {reason}."},
    {"application.supplement_needed", "请补正材料",
     "您的{item_name}申请（编号{number}）需补正以下材料：{materials}。请于{due_date}前一次性补齐，"
     "补正期间不计入办理时限。",
     "【一网通办】您的申请{number}需补正材料：{materials}。详情请登录查看。", "Materials needed",
     "Your application for {item_name} (no. {number}) needs these materials: {materials}. Please "
     "provide them all by {due_date}; the time limit is paused meanwhile.",
     "[OneWindow] Application {number} needs materials: {materials}. Sign in for details."},
    {"application.supplemented", "补正材料已收到",
     "您为申请{number}（{item_name}）补正的材料已收到，办理继续进行。",
     "【一网通办】申请{number}的补正材料已收到。", "Materials received",
     "The materials you supplied for application {number} ({item_name}) have been received; "
     "handling continues.",
     "[OneWindow] Materials for application {number} received."},
    {"application.approved", "申请已通过", "您的{item_name}申请（编号{number}）已审批通过。",
     "【一网通办】您的申请{number}已审批通过。", "Application approved",
     "Your application for {item_name} (no. {number}) has been approved.",
     "[OneWindow] Application {number} approved."},
    {"application.rejected", "申请未获批准",
     "您的{item_name}申请（编号{number}）未获批准。理由：{reason}"
     "。如不服，可依法申请行政复议或者提起"
     "行政诉讼。",
     "【一网通办】您的申请{number}未获批准，理由：{reason}。", "Application rejected",
     "Your application for {item_name} (no. {number}) was rejected. Reason: {reason}. You may "
     "apply for administrative reconsideration or bring an administrative lawsuit.",
     "[OneWindow] Application {number} rejected. Reason: {reason}."},
    {"application.result_issued", "办理结果已出具",
     "您的申请{number}（{item_name}）已出具办理结果：{licence_title}。",
     "【一网通办】申请{number}已出证：{licence_title}。", "Result issued",
     "The result of application {number} ({item_name}) has been issued: {licence_title}.",
     "[OneWindow] Application {number}: {licence_title} issued."},
    {"application.delivered", "办理结果已送达",
     "您的申请{number}（{item_name}）的办理结果{licence_title}已送达。",
     "【一网通办】申请{number}的{licence_title}已送达。", "Result delivered",
     "{licence_title} for application {number} ({item_name}) has been delivered.",
     "[OneWindow] {licence_title} for application {number} delivered."},
    {"application.withdrawn", "申请已撤回", "您的{item_name}申请（编号{number}）已撤回。",
     "【一网通办】您的申请{number}已撤回。", "Application withdrawn",
     "Your application for {item_name} (no. {number}) has been withdrawn.",
     "[OneWindow] Application {number} withdrawn."},
    {"case.due_soon", "办件即将到期", "办件{number}（{item_name}）将于{due_date}到期，请及时办理。",
     "【一网通办】办件{number}将于{due_date}到期，请及时办理。", "Case due soon",
     "Case {number} ({item_name}) is due on {due_date}. Please handle it in time.",
     "[OneWindow] Case {number} is due on {due_date}."},
    {"case.overdue", "办件已超期",
     "办件{number}（{item_name}）已超过办理时限（{due_date}），请立即处理。",
     "【一网通办】办件{number}已超期，请立即处理。", "Case overdue",
     "Case {number} ({item_name}) has passed its time limit ({due_date}). Please handle it now.",
     "[OneWindow] Case {number} is overdue."},
    {"work_order.received", "诉求已受理", "您反映的“{title}”已受理，工单号{work_order_number}。",
     "【一网通办】您的诉求已受理，工单号{work_order_number}。", "Request received",
     "Your request \"{title}\" has been received as work order {work_order_number}.",
     "[OneWindow] Your request was received as work order {work_order_number}."},
    {"work_order.dispatched", "工单已派发",
     "工单{work_order_number}（{title}）已派发承办单位办理，办理期限：{due_date}。",
     "【一网通办】工单{work_order_number}已派发，期限{due_date}。", "Work order dispatched",
     "Work order {work_order_number} ({title}) has been dispatched for handling, due {due_date}.",
     "[OneWindow] Work order {work_order_number} dispatched, due {due_date}."},
    {"work_order.replied", "工单已答复", "您的工单{work_order_number}（{title}）已答复：{reply}",
     "【一网通办】您的工单{work_order_number}已答复，请登录查看。", "Work order answered",
     "Work order {work_order_number} ({title}) has been answered: {reply}",
     "[OneWindow] Work order {work_order_number} has been answered. Sign in to read it."},
    {"work_order.callback_requested", "请评价办理结果",
     "工单{work_order_number}（{title}）已办理，请告诉我们您是否满意。",
     "【一网通办】工单{work_order_number}已办理，请登录评价是否满意。", "How did we do?",
     "Work order {work_order_number} ({title}) has been handled. Please tell us whether you are "
     "satisfied.",
     "[OneWindow] Work order {work_order_number} handled. Sign in to tell us if you are "
     "satisfied."},
    {"work_order.escalated", "工单督办",
     "工单{work_order_number}（{title}）已被督办（{level}），请于{due_date}前办结。",
     "【一网通办】工单{work_order_number}已被督办（{level}），请尽快办结。", "Work order escalated",
     "Work order {work_order_number} ({title}) has been escalated ({level}). Close it by "
     "{due_date}.",
     "[OneWindow] Work order {work_order_number} escalated ({level})."},
    {"work_order.extension_decided", "延期申请已处理",
     "工单{work_order_number}（{title}）的延期申请已处理，办理期限：{due_date}。",
     "【一网通办】工单{work_order_number}延期申请已处理，期限{due_date}。", "Extension decided",
     "The extension request for work order {work_order_number} ({title}) has been decided; it is "
     "now due {due_date}.",
     "[OneWindow] Extension for work order {work_order_number} decided; due {due_date}."},
    {"work_order.extension_approved", "延期申请已同意",
     "工单{work_order_number}（{title}）的延期申请已同意，办理期限延至{due_date}。",
     "【一网通办】工单{work_order_number}延期申请已同意，期限延至{due_date}。",
     "Extension approved",
     "The extension request for work order {work_order_number} ({title}) has been approved; it "
     "is now due {due_date}.",
     "[OneWindow] Extension for work order {work_order_number} approved; due {due_date}."},
    {"work_order.extension_refused", "延期申请未同意",
     "工单{work_order_number}（{title}）的延期申请未同意：{reason}。请于{due_date}前办结。",
     "【一网通办】工单{work_order_number}延期申请未同意：{reason}。请于{due_date}前办结。",
     "Extension refused",
     "The extension request for work order {work_order_number} ({title}) has been refused: "
     "{reason}. Close it by {due_date}.",
     "[OneWindow] Extension for work order {work_order_number} refused: {reason}. Due {due_date}."},
    {"rating.received", "感谢您的评价",
     "我们已收到您对{item_name}（编号{number}）的评价：{level}。",
     "【一网通办】已收到您对办件{number}的评价，感谢您的支持。", "Thank you for your rating",
     "We received your rating of {item_name} (no. {number}): {level}.",
     "[OneWindow] Thank you for rating case {number}."},
    {"rating.submitted", "收到一条评价",
     "{item_name}（编号{number}）收到评价：{level}分（满分5分）。",
     "【一网通办】办件{number}收到{level}分评价（满分5分），请登录查看。", "New rating",
     "{item_name} (no. {number}) was rated {level} of 5.",
     "[OneWindow] Case {number} was rated {level} of 5. Sign in to see it."},
    {"rating.follow_up", "评价整改回复",
     "针对您对{item_name}（编号{number}）的评价，整改情况如下：{reply}",
     "【一网通办】您对办件{number}的评价已有整改回复，请登录查看。", "Follow-up on your rating",
     "About your rating of {item_name} (no. {number}): {reply}",
     "[OneWindow] There is a follow-up on your rating of case {number}. Sign in to read it."},
    {"rectification.opened", "差评整改工单",
     "办件{number}（{item_name}）收到“{level}”评价，已生成整改工单{work_order_number}，请于{due_"
     "date}"
     "前整改并回复评价人。",
     "【一网通办】收到差评，整改工单{work_order_number}，请于{due_date}前整改。",
     "Rectification opened",
     "Case {number} ({item_name}) received a \"{level}\" rating. Rectification work order "
     "{work_order_number} is due by {due_date}; reply to the rater.",
     "[OneWindow] Rectification work order {work_order_number} opened, due {due_date}."},
};

notification::v1::Template Make(const char* type, notification::v1::Channel channel,
                                const char* language, const char* title, const char* body) {
  notification::v1::Template t;
  t.set_event_type(type);
  t.set_channel(channel);
  t.set_language(language);
  t.set_title(title);
  t.set_body(body);
  t.set_author("shipped");
  return t;
}

}  // namespace

const std::vector<notification::v1::Template>& ShippedTemplates() {
  static const auto* const kTemplates = [] {
    auto* all = new std::vector<notification::v1::Template>;
    for (const Text& t : kTexts) {
      all->push_back(
          Make(t.type, notification::v1::CHANNEL_IN_APP, "zh-CN", t.zh_title, t.zh_body));
      all->push_back(Make(t.type, notification::v1::CHANNEL_IN_APP, "en", t.en_title, t.en_body));
      all->push_back(Make(t.type, notification::v1::CHANNEL_SMS, "zh-CN", "", t.zh_sms));
      all->push_back(Make(t.type, notification::v1::CHANNEL_SMS, "en", "", t.en_sms));
    }
    return all;
  }();
  return *kTemplates;
}

}  // namespace onewindow::notification
