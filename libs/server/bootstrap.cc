#include "libs/server/bootstrap.h"

#include "libs/auth/principal_verifier.h"
#include "libs/config/flags.h"
#include "libs/server/signals.h"
#include "libs/store/service_database.h"

namespace onewindow::server {

Process Bootstrap(int argc, char** argv, const ProcessSpec& spec) {
  BlockShutdownSignals();
  config::ParseFlags(argc, argv, spec.usage);
  log::Logger logger(spec.name, config::LogLevelFlag(), std::make_shared<log::FdSink>());
  config::LogEffectiveConfig(logger);

  auto verifier = auth::PrincipalVerifierFromFlags();
  if (!verifier.ok()) config::ExitOnConfigError(logger, verifier.status());
  auto db = store::OpenServiceDatabase(spec.name, *spec.migrations);
  if (!db.ok()) config::ExitOnConfigError(logger, db.status());

  Process process{logger, *std::move(verifier), *std::move(db), nullptr, nullptr};
  process.runner = std::make_unique<ServerRunner>(
      OptionsFromFlags(spec.name, spec.default_port, spec.default_metrics_port), logger);
  process.calls = std::make_unique<CallRunner>(logger, process.verifier.get());
  return process;
}

int ServeUntilSignal(Process& process) {
  store::Database* db = process.db.get();
  process.runner->OnShutdown([db] { db->Close(); });
  if (absl::Status s = process.runner->Start(); !s.ok()) {
    config::ExitOnConfigError(process.logger, s);
  }
  process.runner->RunUntilSignal();
  return 0;
}

}  // namespace onewindow::server
