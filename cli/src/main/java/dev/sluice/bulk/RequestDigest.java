package dev.sluice.bulk;

import dev.sluice.schema.ChatMessage;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A hex SHA-256 of what a run's requests ask and of their ids, not of when they were made or their deadline: the
 * same input submitted again to the same run has the same digest. Fed a request at a time, so that a run's requests
 * need not be held together to be digested.
 */
final class RequestDigest {

    /** Marks the preferred model and sampling: -1 is a null's length, and no length is below it. */
    private static final int PREFERENCES = -2;

    private final MessageDigest sha = sha256();
    private int requests;

    void add(PromptRequest request) {
        requests++;
        update(request.getRequestId());
        update(request.getTenant());
        update(request.getItemId());
        update(request.getTask().name());
        update(request.getSourceLanguage());
        update(request.getTargetLanguage());
        GenerationParams params = request.getParams();
        update(params == null || params.getMaxTokens() == null ? null : params.getMaxTokens().toString());
        update(request.getPrompt());
        update(Integer.toString(request.getMessages().size()));
        for (ChatMessage message : request.getMessages()) {
            update(message.getRole());
            update(message.getContent());
        }
        String model = request.getHints() == null ? null : request.getHints().getPreferredModel();
        boolean sampled = params != null && (params.getTemperature() != null || params.getTopP() != null
                || params.getSeed() != null || !params.getStop().isEmpty());
        if (model != null || sampled) {
            // After a mark no value's length can be, so that a request without these digests as it did before they
            // were read, and a run submitted then still resumes.
            sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(PREFERENCES).array());
            update(model);
            update(params == null ? null : Objects.toString(params.getTemperature(), null));
            update(params == null ? null : Objects.toString(params.getTopP(), null));
            update(params == null ? null : Objects.toString(params.getSeed(), null));
            List<String> stops = params == null ? List.of() : params.getStop();
            update(Integer.toString(stops.size()));
            stops.forEach(this::update);
        }
    }

    /** How many requests were added. */
    int requests() {
        return requests;
    }

    /** The digest of the requests added; adds nothing more after. */
    String hex() {
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Each value length-prefixed, and null apart from empty, so that no two inputs feed the same bytes. */
    private void update(String value) {
        byte[] bytes = value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(value == null ? -1 : bytes.length).array());
        sha.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
