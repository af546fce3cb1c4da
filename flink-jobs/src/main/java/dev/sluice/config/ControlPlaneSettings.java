package dev.sluice.config;

import java.io.Serializable;
import java.util.List;

/**
 * Who may steer a running pipeline through the catalog topic, and how far.
 *
 * @param publicKey PEM file (X.509 SubjectPublicKeyInfo) of the operator's Ed25519 key, relative to the folder of
 *     {@code sluice.yaml} unless absolute; the job follows only catalog documents signed with its private key.
 *     Absent (the default): the catalog topic is off, and the job routes with its catalog file alone
 * @param allowedEndpoints {@code host:port}s a signed document may move a model's endpoint and replicas to, with
 *     the catalog file's TLS, credentials and tokenizer; default none: deployments exactly as in the catalog file
 */
public record ControlPlaneSettings(String publicKey, List<String> allowedEndpoints) implements Serializable {

    public ControlPlaneSettings {
        allowedEndpoints = allowedEndpoints == null ? List.of() : List.copyOf(allowedEndpoints);
    }

    public static ControlPlaneSettings ofDefaults() {
        return new ControlPlaneSettings(null, null);
    }
}
