package dev.sluice.intake;

import dev.sluice.schema.PromptRequest;
import java.util.List;

/**
 * What one Kafka record held: the valid requests, and a problem for each part that was not.
 *
 * @param requests valid requests, in record order
 * @param problems one per rejected request, or one for the whole record
 */
public record DecodedRecord(List<PromptRequest> requests, List<Problem> problems) {

    public DecodedRecord {
        requests = List.copyOf(requests);
        problems = List.copyOf(problems);
    }

    static DecodedRecord failed(Problem problem) {
        return new DecodedRecord(List.of(), List.of(problem));
    }
}
