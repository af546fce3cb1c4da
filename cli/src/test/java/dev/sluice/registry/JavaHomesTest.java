package dev.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link JavaHomes}, on directories laid out as {@code /usr/lib/jvm} is. */
class JavaHomesTest {

    @TempDir
    Path jvms;

    private Path home(String name, String javaVersion) throws IOException {
        Path home = Files.createDirectories(jvms.resolve(name));
        if (javaVersion != null) {
            Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Someone\"\nJAVA_VERSION=\"" + javaVersion
                    + "\"\nJAVA_RUNTIME_VERSION=\"" + javaVersion + "+9\"\n");
        }
        return home;
    }

    @Test
    void theVersionIsTheFeatureNumberOfTheReleaseFile() throws IOException {
        assertThat(JavaHomes.version(home("temurin-25", "25.0.3"))).hasValue(25);
        assertThat(JavaHomes.version(home("jdk-21", "21"))).hasValue(21);
        assertThat(JavaHomes.version(home("jdk-8", "1.8.0_402"))).hasValue(8);
        assertThat(JavaHomes.version(home("not-a-jdk", null))).isEmpty();
        assertThat(JavaHomes.version(home("odd", "next"))).isEmpty();
    }

    @Test
    void theNewestSiblingOfAtLeastTheVersionIsChosen() throws IOException {
        Path running = home("java-17-openjdk", "17.0.15");
        Path newest = home("temurin-25-jdk", "25.0.3");
        home("jdk-21", "21.0.7");
        home("openjdk-17", null);

        assertThat(JavaHomes.beside(running, 21)).hasValue(newest);
        assertThat(JavaHomes.beside(running, 26)).isEmpty();
    }

    @Test
    void aNamedRuntimeIsUsedWhenNewEnoughAndRefusedOtherwise() throws IOException {
        String property = "sluice.test.java-homes." + System.nanoTime();
        Path old = home("jdk-17", "17.0.15");
        Path recent = home("jdk-21", "21.0.7");
        try {
            System.setProperty(property, recent.toString());
            assertThat(JavaHomes.find(21, property, "SLUICE_TEST_UNSET")).isEqualTo(recent);

            System.setProperty(property, old.toString());
            assertThatThrownBy(() -> JavaHomes.find(21, property, "SLUICE_TEST_UNSET")).hasMessage(old + " (from "
                    + property + " or SLUICE_TEST_UNSET) is Java 17; Java 21 or later is needed");
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void theRunningJvmIsUsedWhenNewEnough() {
        int running = Runtime.version().feature();

        assertThat(JavaHomes.find(running, "sluice.test.unset", "SLUICE_TEST_UNSET"))
                .isEqualTo(Path.of(System.getProperty("java.home")));
    }
}
