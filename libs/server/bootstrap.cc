#include "libs/server/bootstrap.h"

#include <grpcpp/server.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/principal_verifier.h"
#include "libs/client/channels.h"
#include "libs/config/flags.h"
#include "libs/server/signals.h"
#include "libs/store/service_database.h"

ABSL_FLAG(int, revocation_poll_seconds, 20,
          "How often revoked API tokens are fetched from identity (must stay under 60)");

namespace onewindow::server {

Process Bootstrap(int argc, char** argv, const ProcessSpec& spec) {
  config::SkipLockOrderChecksInRelease();
  BlockShutdownSignals();
  config::ParseFlags(argc, argv, spec.usage);
  log::Logger logger(spec.name, config::LogLevelFlag(), std::make_shared<log::FdSink>());
  config::LogEffectiveConfig(logger);

  auto keys = auth::KeyRingFromFlags();
  if (!keys.ok()) config::ExitOnConfigError(logger, keys.status());
  auto revocations = std::make_unique<auth::RevocationList>();
  auto verifier = auth::PrincipalVerifierFromFlags(revocations.get());
  if (!verifier.ok()) config::ExitOnConfigError(logger, verifier.status());
  auto db =
      store::OpenServiceDatabase(spec.name, *spec.migrations, [logger](const absl::Status& error) {
        logger.Warn("store background work failed", {{"error", error.ToString()}});
      });
  if (!db.ok()) config::ExitOnConfigError(logger, db.status());

  auto signer = std::make_unique<auth::TokenSigner>(*keys);
  auto credentials =
      std::make_unique<ServiceCredentials>([signer = signer.get(), service = logger.service()] {
        auth::v1::Principal self;
        self.set_kind(auth::v1::SERVICE);
        self.set_subject(service);
        return signer->Mint(self, absl::Minutes(5), absl::Now()).value_or("");
      });
  Process process{logger,  std::move(signer),    std::move(credentials), std::move(revocations),
                  nullptr, *std::move(verifier), *std::move(db),         nullptr,
                  nullptr};
  process.runner = std::make_unique<ServerRunner>(
      OptionsFromFlags(spec.name, spec.default_port, spec.default_metrics_port), logger);
  process.calls = std::make_unique<CallRunner>(logger, process.verifier.get());
  return process;
}

std::string ServiceToken(const Process& process) { return process.credentials->Token(); }

int ServeUntilSignal(Process& process) {
  store::Database* db = process.db.get();
  process.runner->OnShutdown([db] { db->Close(); });
  if (absl::Status s = process.runner->Start(); !s.ok()) {
    config::ExitOnConfigError(process.logger, s);
  }
  // Identity asks itself in-process: API tokens are refused until a list
  // came, and its --listen may name an address no loopback call reaches.
  const std::string name = process.logger.service();
  std::shared_ptr<grpc::Channel> identity_channel =
      name == "identity" ? process.runner->server()->InProcessChannel(grpc::ChannelArguments())
                         : client::MakeChannel(client::AddressOf("identity"));
  process.revocation_poller = std::make_unique<auth::RevocationPoller>(
      process.revocations.get(), std::move(identity_channel), process.signer.get(), name,
      absl::Seconds(absl::GetFlag(FLAGS_revocation_poll_seconds)), process.logger);
  process.revocation_poller->Start();
  process.runner->RunUntilSignal();
  // Gone before the server it may hold an in-process channel to.
  process.revocation_poller.reset();
  return 0;
}

}  // namespace onewindow::server
