package dev.sluice.cli;

import dev.sluice.config.ServeSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import dev.sluice.serve.ApiKeys;
import dev.sluice.serve.ServeServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice serve}: the OpenAI Files and Batches API over bulk runs, for a running pipeline. */
@Command(name = "serve", mixinStandardHelpOptions = true, subcommands = ServeCommand.Keygen.class,
        description = "Serve the OpenAI Files and Batches API (/v1/files, /v1/batches) for the pipeline `sluice run` "
                + "runs with the same configuration: each batch is a bulk run of its key's tenant. Point an OpenAI "
                + "client at http://HOST:PORT/v1 with a key from `sluice serve keygen`.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    @Option(names = "--listen", description = "host:port to listen on (default: serve.listen, localhost:8089)")
    String listen;

    @Override
    public Integer call() throws Exception {
        SluiceConfig loaded = SluiceConfig.load(config);
        ServeSettings serve = listen == null ? loaded.serve() : loaded.serve().withListen(listen);
        SluiceConfig settings = loaded.withServe(serve);
        ApiKeys keys = ApiKeys.of(serve, serve.apiKeysFile() == null ? null
                : settings.servePath(config, serve.apiKeysFile()));
        Catalog catalog = Catalog.load(settings.catalogPath(config));
        try (ServeServer server = ServeServer.start(settings, catalog, folder -> settings.servePath(config, folder),
                keys)) {
            System.out.println("serving the OpenAI Batch API at " + server.baseUrl() + " (files in "
                    + server.storedIn() + ")");
            try {
                server.join();
            } catch (InterruptedException e) {
                // The request to stop, from whoever runs this in-process (a process stops by its shutdown hook):
                // taken here, not passed on, so that stopping the server below is not cut short by it.
                System.out.println("stopping");
            }
        }
        return 0;
    }

    /** {@code sluice serve keygen --tenant T}: a new API key, and the line that lets it in. */
    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Print a new API key for a tenant, and the entry for serve.api-keys in sluice.yaml (or the "
                    + "line for serve.api-keys-file) that holds only its SHA-256.")
    static final class Keygen implements Callable<Integer> {

        @Option(names = "--tenant", required = true, description = "the tenant the key acts for")
        String tenant;

        @Override
        public Integer call() {
            if (!ServeSettings.TENANT.matcher(tenant).matches()) {
                System.err.println("a tenant must match " + ServeSettings.TENANT.pattern());
                return 1;
            }
            String key = ApiKeys.newKey();
            String hash = ApiKeys.hash(key);
            System.out.println("key (give it to the tenant; it is not stored): " + key);
            System.out.println("serve.api-keys entry: - {tenant: " + tenant + ", sha256: " + hash + "}");
            System.out.println("serve.api-keys-file line: " + tenant + " " + hash);
            return 0;
        }
    }
}
