package dev.sluice.serve;

import dev.sluice.config.ServeSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import java.net.URI;
import java.nio.file.Path;
import java.util.function.Function;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code sluice serve}: the OpenAI Files and Batches API in front of bulk runs, on an embedded Jetty. Jetty because
 * its core API streams a multipart upload to disk as it arrives (a 200 MB input never sits in memory), it runs on
 * Java 17 with three small jars and no servlet container, and it is kept by the Eclipse Foundation with regular
 * security releases; the JDK's own server, which the emulator uses, has no multipart parser.
 */
public final class ServeServer implements AutoCloseable {

    private final Server server;
    private final BatchService batches;
    private final ObjectStore store;

    private ServeServer(Server server, BatchService batches, ObjectStore store) {
        this.server = server;
        this.batches = batches;
        this.store = store;
    }

    /**
     * Starts serving from the store {@code serve.files} names.
     *
     * @param folderOf resolves {@code serve.files} when it names a folder
     * @param keys who may call it
     */
    public static ServeServer start(SluiceConfig settings, Catalog catalog, Function<String, Path> folderOf,
            ApiKeys keys) throws Exception {
        ServeSettings serve = settings.serve();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("serve: no API keys configured (serve.api-keys or serve.api-keys-file);"
                    + " make one with `sluice serve keygen --tenant NAME`");
        }
        ObjectStore store = ObjectStore.open(serve, folderOf);
        try {
            return startOn(store, settings, catalog, keys);
        } catch (Exception e) {
            store.close();
            throw e;
        }
    }

    private static ServeServer startOn(ObjectStore store, SluiceConfig settings, Catalog catalog, ApiKeys keys)
            throws Exception {
        ServeSettings serve = settings.serve();
        FileStore files = new FileStore(store);
        BatchService batches = new BatchService(settings, catalog, files, store);
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("sluice-serve");
        threads.setDaemon(true);
        Server server = new Server(threads);
        // SIGTERM or Ctrl-C: requests in progress finish, new ones are refused.
        server.setStopAtShutdown(true);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        HostPort listen = HostPort.parse(serve.listen());
        connector.setHost(listen.host());
        connector.setPort(listen.port());
        server.addConnector(connector);
        server.setHandler(new BatchApiHandler(keys, files, batches, serve));
        batches.start();
        try {
            server.start();
        } catch (Exception e) {
            batches.close();
            throw e;
        }
        return new ServeServer(server, batches, store);
    }

    /** The base URL an OpenAI client is pointed at: {@code http://host:port/v1}. */
    public URI baseUrl() {
        ServerConnector connector = (ServerConnector) server.getConnectors()[0];
        String host = connector.getHost() == null ? "localhost" : connector.getHost();
        return URI.create("http://" + host + ":" + connector.getLocalPort() + "/v1");
    }

    /** Where its files and batches are kept: a folder or an {@code s3://} location. */
    public String storedIn() {
        return store.toString();
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
        batches.close();
        store.close();
    }

    /** {@code host:port}; port 0 picks a free one. */
    record HostPort(String host, int port) {
        static HostPort parse(String listen) {
            int colon = listen.lastIndexOf(':');
            try {
                return new HostPort(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("serve.listen must be host:port, got '" + listen + "'", e);
            }
        }
    }
}
