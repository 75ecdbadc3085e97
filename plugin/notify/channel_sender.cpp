#include "channel_sender.hpp"

#include "channel.hpp"
#include "email_message.hpp"
#include "notice.hpp"
#include "notice_text.hpp"
#include "webhook_payload.hpp"
#include "webhook_signature.hpp"

namespace creditgate {
namespace {

Notice noticeOf(const ClaimedDelivery& delivery) {
  Notice notice;
  notice.event_id = delivery.event_id;
  notice.tenant_id = delivery.tenant_id;
  notice.type = delivery.type;
  notice.payload_json = delivery.payload_json;
  notice.campaign_id = delivery.campaign_id;
  notice.minor_units = delivery.minor_units.value_or(2);
  notice.created_at = delivery.created_at;
  return notice;
}

DeliveryEnd endOf(const SendResult& result) {
  DeliveryEnd end;
  end.status = result.status;
  end.error = result.error;
  switch (result.outcome) {
    case SendResult::Outcome::delivered: end.outcome = DeliveryEnd::Outcome::delivered; break;
    case SendResult::Outcome::rejected: end.outcome = DeliveryEnd::Outcome::rejected; break;
    case SendResult::Outcome::gone: end.outcome = DeliveryEnd::Outcome::gone; break;
    case SendResult::Outcome::retry: end.outcome = DeliveryEnd::Outcome::retry; break;
  }
  return end;
}

DeliveryEnd rejected(std::string why) {
  DeliveryEnd end;
  end.outcome = DeliveryEnd::Outcome::rejected;
  end.error = std::move(why);
  return end;
}

}  // namespace

ChannelSender::ChannelSender(const DeliverySettings& settings, api::HostServices& services)
    : settings_(settings),
      services_(services),
      smtp_(settings.smtp),
      webhook_(settings.webhook_timeout) {}

DeliveryEnd ChannelSender::send(const ClaimedDelivery& delivery) {
  try {
    const std::optional<Channel> channel = parseChannel(delivery.channel);
    if (!channel) {
      // The ledger checks contacts as they are set; one from before that check can still be bad.
      return rejected("the contact is not a valid email: or webhook: channel");
    }
    switch (channel->kind) {
      case Channel::Kind::email: return sendEmail(delivery, channel->address);
      case Channel::Kind::webhook: return sendWebhook(delivery, channel->address);
      case Channel::Kind::host: return sendToHost(delivery, channel->address);
    }
    return rejected("unknown channel kind");
  } catch (const std::exception& e) {
    DeliveryEnd end;  // retried: a failure of ours (memory, say) is not the receiver's refusal
    end.error = std::string("creditgate could not send it: ") + e.what();
    return end;
  }
}

DeliveryEnd ChannelSender::sendEmail(const ClaimedDelivery& delivery, const std::string& to) {
  const Notice notice = noticeOf(delivery);
  const std::optional<std::string> message = composeEmail(
      describeNotice(notice, settings_.portal_url), notice, settings_.smtp.from, to,
      std::chrono::system_clock::time_point(std::chrono::microseconds(services_.nowUnixMicros())));
  if (!message) return rejected("the mail's sender or recipient address is not one address");
  return endOf(smtp_.send(to, *message));
}

DeliveryEnd ChannelSender::sendWebhook(const ClaimedDelivery& delivery, const std::string& url) {
  const std::string body = webhookBody(noticeOf(delivery));
  const std::string id = std::to_string(delivery.event_id);
  const std::int64_t timestamp = services_.nowUnixMicros() / 1000000;
  const std::string signature = webhookSignature(delivery.secrets, id, timestamp, body);
  if (signature.empty()) return rejected("the webhook endpoint has no valid signing secret");
  const std::vector<std::string> headers{
      "content-type: application/json",
      "webhook-id: " + id,
      "webhook-timestamp: " + std::to_string(timestamp),
      "webhook-signature: " + signature,
  };
  return endOf(webhook_.post(url, headers, body));
}

DeliveryEnd ChannelSender::sendToHost(const ClaimedDelivery& delivery, const std::string& contact) {
  const std::string event_id = std::to_string(delivery.event_id);
  const api::Notification notification{event_id, delivery.tenant_id, delivery.type, contact,
                                       delivery.payload_json};
  DeliveryEnd end;
  if (services_.notify(notification)) {
    end.outcome = DeliveryEnd::Outcome::delivered;
  } else {
    end.error = "the host's notifier refused it";
  }
  return end;
}

}  // namespace creditgate
