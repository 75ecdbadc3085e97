// Sends one claimed delivery over its channel: a mail (SMTP), a signed webhook (Standard Webhooks
// 1.0) or the host's notify(). One sender per relay thread: its SMTP and HTTP handles are reused
// between deliveries and are not shared. Never throws; every failure becomes a DeliveryEnd.
#pragma once

#include <chrono>
#include <string>

#include "creditgate/host_api.hpp"
#include "outbox.hpp"
#include "smtp_client.hpp"
#include "webhook_client.hpp"

namespace creditgate {

struct DeliverySettings {
  SmtpSettings smtp;
  std::chrono::milliseconds webhook_timeout{10000};
  std::string portal_url;  // linked from mails; "" = none
};

class ChannelSender {
 public:
  ChannelSender(const DeliverySettings& settings, api::HostServices& services);

  // The outcome only: backoff and the retry period are the relay's.
  DeliveryEnd send(const ClaimedDelivery& delivery);

 private:
  DeliveryEnd sendEmail(const ClaimedDelivery& delivery, const std::string& to);
  DeliveryEnd sendWebhook(const ClaimedDelivery& delivery, const std::string& url);
  DeliveryEnd sendToHost(const ClaimedDelivery& delivery, const std::string& contact);

  const DeliverySettings& settings_;
  api::HostServices& services_;
  SmtpClient smtp_;
  WebhookClient webhook_;
};

}  // namespace creditgate
