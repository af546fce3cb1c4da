package dev.sluice.emulator.metrics;

import dev.sluice.backend.PrometheusText;
import dev.sluice.backend.PrometheusText.Sample;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** One scrape of a metrics port, as Prometheus takes it: the samples, each a name, labels and a value. */
public final class ScrapedMetrics {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<Sample> samples;

    private ScrapedMetrics(List<Sample> samples) {
        this.samples = samples;
    }

    /** {@code GET http://host:port/metrics}, which must answer 200. */
    public static ScrapedMetrics scrape(String host, int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(host + ":" + port + "/metrics answered " + response.statusCode());
        }
        return parse(response.body());
    }

    /** The samples of a page in the text format; comments and blank lines are skipped, anything else fails. */
    public static ScrapedMetrics parse(String page) {
        List<Sample> samples = new ArrayList<>();
        for (String line : page.lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                samples.add(PrometheusText.sample(line)
                        .orElseThrow(() -> new IllegalArgumentException("not a sample line: " + line)));
            }
        }
        return new ScrapedMetrics(samples);
    }

    /** The names of all samples, as a query selects them ({@code x_bucket}, {@code x_sum} of a histogram). */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(sample -> names.add(sample.name()));
        return names;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The value of the one sample of {@code name} whose labels include {@code labels} (name, value, ...). */
    public double value(String name, String... labels) {
        List<Sample> matching = matching(name, labels);
        if (matching.size() != 1) {
            throw new AssertionError(matching.size() + " samples of " + name + " " + List.of(labels) + " in " + samples);
        }
        return matching.get(0).value();
    }

    /** The sum of the samples of {@code name} whose labels include {@code labels}. */
    public double sum(String name, String... labels) {
        return matching(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    private List<Sample> matching(String name, String... labels) {
        List<Sample> matching = new ArrayList<>();
        for (Sample sample : samples) {
            boolean match = sample.name().equals(name);
            for (int i = 0; match && i < labels.length; i += 2) {
                match = labels[i + 1].equals(sample.labels().get(labels[i]));
            }
            if (match) {
                matching.add(sample);
            }
        }
        return matching;
    }
}
