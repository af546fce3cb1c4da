package dev.sluice.cli;

import dev.sluice.routing.CatalogKeys;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice catalog keygen --out DIR}: a new Ed25519 key pair for signing catalog documents. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Write a new Ed25519 key pair as PEM files: " + CatalogKeys.PUBLIC_FILE + " (for "
                + "control-plane.public-key in sluice.yaml) and " + CatalogKeys.PRIVATE_FILE + " (mode 600, for "
                + "'catalog publish --key'; keep it off the Flink cluster). Never replaces an existing pair.")
final class CatalogKeygenCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "folder for the two files, created if missing")
    Path out;

    @Override
    public Integer call() {
        try {
            Path privateKey = CatalogKeys.write(CatalogKeys.generate(), out);
            System.out.println("wrote " + out.resolve(CatalogKeys.PUBLIC_FILE) + " and " + privateKey);
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 1;
        }
    }
}
