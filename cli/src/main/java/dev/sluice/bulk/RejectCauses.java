package dev.sluice.bulk;

import dev.sluice.schema.RejectReason;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which reject reasons a resubmitted run retries: those caused by the servers' health, which a later attempt can
 * meet in better health. A server that failed the request ({@link RejectReason#BACKEND_FAILED}), or none that
 * answered within its hold ({@link RejectReason#DEADLINE_EXCEEDED}), is such a cause. Everything else says the
 * request itself, or what the tenant may do, is at fault (undecodable, invalid, too large, no model its licence
 * policy allows, another tenant's topic), or that it ended as asked (cancelled) or was a copy (duplicate): the same
 * request would end the same way again, so it is never retried.
 */
public final class RejectCauses {

    private static final Set<RejectReason> HEALTH = EnumSet.of(RejectReason.BACKEND_FAILED,
            RejectReason.DEADLINE_EXCEEDED);

    private RejectCauses() {}

    /** Whether an item rejected for {@code reason} is published again by a resubmission of its run. */
    public static boolean isRetryable(RejectReason reason) {
        return reason != null && HEALTH.contains(reason);
    }
}
