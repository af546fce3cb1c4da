package dev.sluice.routing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The operator's Ed25519 key pair for catalog documents, as standard PEM files: the public key as X.509
 * SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}), which the job holds, and the private key as PKCS#8
 * ({@code -----BEGIN PRIVATE KEY-----}), which only {@code sluice catalog publish} reads. OpenSSL reads and writes
 * the same files ({@code openssl genpkey -algorithm ed25519}). Errors name the file, never its content.
 */
public final class CatalogKeys {

    public static final String ALGORITHM = "Ed25519";
    /** The names {@link #write} gives the pair's files. */
    public static final String PUBLIC_FILE = "catalog-signing.pub";
    public static final String PRIVATE_FILE = "catalog-signing.key";

    private static final String PUBLIC_LABEL = "PUBLIC KEY";
    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    /** A PEM key file is a few hundred bytes; anything much larger is not one. */
    private static final long MAX_PEM_BYTES = 16 * 1024;

    private CatalogKeys() {}

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + ALGORITHM, e);
        }
    }

    /**
     * Writes {@code pair} into {@code dir} as {@link #PUBLIC_FILE} and {@link #PRIVATE_FILE}, the private one
     * readable by its owner only (mode 600 where the file system has POSIX modes). Refuses to replace either file:
     * a lost private key cannot be recovered, and a job holding the old public key would refuse every document.
     *
     * @return the private key's file
     */
    public static Path write(KeyPair pair, Path dir) {
        Path publicFile = dir.resolve(PUBLIC_FILE);
        Path privateFile = dir.resolve(PRIVATE_FILE);
        try {
            Files.createDirectories(dir);
            if (Files.exists(publicFile) || Files.exists(privateFile)) {
                throw new IllegalArgumentException(dir + " already holds a catalog key pair; not replacing it");
            }
            // Created with its final mode, so the key is never readable by others, not even for a moment.
            Files.createFile(privateFile, ownerOnly());
            Files.writeString(privateFile, pem(PRIVATE_LABEL, pair.getPrivate().getEncoded()));
            Files.writeString(publicFile, pem(PUBLIC_LABEL, pair.getPublic().getEncoded()));
            return privateFile;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the catalog key pair into " + dir, e);
        }
    }

    public static PublicKey readPublic(Path file) {
        return publicKey(decode(file, PUBLIC_LABEL), file.toString());
    }

    public static PrivateKey readPrivate(Path file) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(
                    decode(file, PRIVATE_LABEL)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": not an " + ALGORITHM + " private key (PKCS#8)");
        }
    }

    /** A public key from its X.509 encoding, as it travels in the job graph. */
    public static PublicKey publicKey(byte[] x509, String source) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(source + ": not an " + ALGORITHM + " public key (X.509)");
        }
    }

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static byte[] decode(Path file, String label) {
        String text;
        try {
            if (Files.size(file) > MAX_PEM_BYTES) {
                throw new IllegalArgumentException(file + ": too large for a PEM key file");
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key file " + file, e);
        }
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(file + ": no PEM block '" + begin + "'");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the PEM block is not base64");
        }
    }

    private static FileAttribute<?>[] ownerOnly() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }
}
