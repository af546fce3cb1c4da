package dev.sluice.gateway;

/**
 * What is arriving at a gateway, which decides how much of each server batch work may take ({@link Replica#room}
 * and {@link Replica#bulkRoom}). Each kind lasts a spell ({@link Gateway#SPELL_NANOS}) after its last request, as
 * such traffic comes in spells (a user's session, a service's busy minute, a tenant's run): a reserve kept for
 * nobody is GPU time lost, so it is kept only while its kind is arriving.
 */
enum Traffic {
    /**
     * Interactive requests: batch work leaves slots free for them and none of the server's queue, since none of
     * the servers Sluice calls orders its queue by priority and an interactive request would wait behind it.
     */
    INTERACTIVE,
    /**
     * Several tenants' batch work, arriving or waiting at the gateway, and no interactive requests: the server's
     * queue kept short, so that the gateway's fair queue, not the server's first come first served, decides whose
     * request runs next.
     */
    TENANTS,
    /** One tenant's batch work alone: every free slot, and a queue deep enough that none idles between reports. */
    BATCH
}
