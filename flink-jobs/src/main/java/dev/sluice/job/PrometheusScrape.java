package dev.sluice.job;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** One scrape of Flink's Prometheus reporter on this machine, as Prometheus itself would take it. */
public final class PrometheusScrape {

    private PrometheusScrape() {}

    /** The sample lines of Sluice's own metrics ({@code name{labels} value}), comments and Flink's left out. */
    public static List<String> sluiceSamples(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("the Prometheus reporter on port " + port + " answered " + response.statusCode());
        }
        String prefix = SluiceMetrics.OPERATOR_SCOPE + "_" + SluiceMetrics.GROUP + "_";
        return response.body().lines().filter(line -> line.startsWith(prefix)).toList();
    }
}
