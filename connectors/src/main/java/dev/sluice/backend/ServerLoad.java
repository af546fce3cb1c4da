package dev.sluice.backend;

/**
 * How busy a server is, as it reports itself (SGLang's {@code GetLoads}).
 *
 * @param running requests decoding
 * @param waiting requests queued
 * @param maxRunning most requests the server runs at once; 0 when it does not say
 * @param tokenUsage share of the KV cache in use, 0..1
 * @param outputTokensPerSecond recent generation throughput
 * @param cacheHitRate share of prompt tokens served from the prefix cache, 0..1
 */
public record ServerLoad(int running, int waiting, int maxRunning, double tokenUsage, double outputTokensPerSecond,
        double cacheHitRate) {}
