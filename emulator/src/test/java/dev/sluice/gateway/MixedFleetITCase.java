package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.openai.OpenAiServer;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.emulator.openai.Dialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One model served by a Triton server and a vLLM server at once, behind one gateway built from their descriptions
 * as the job builds it: requests spread over both, keep to the server their prefix went to, and move to the other
 * when one goes down.
 */
class MixedFleetITCase {

    private static final String TRITON_MODEL = "llama_ensemble";
    private static final String VLLM_MODEL = "meta-llama/Llama-3.1-8B-Instruct";

    @Test
    void aModelServedOverTwoProtocolsSpreadsKeepsPrefixesTogetherAndFailsOver() throws Exception {
        try (EmulatorServer triton = EmulatorServer.builder().model(EmulatedModel.ensemble(TRITON_MODEL,
                        engine(), 16)).start();
                EmulatorServer vllm = EmulatorServer.builder().protocol(Protocol.OPENAI).dialect(Dialect.VLLM)
                        .model(EmulatedModel.sglang(VLLM_MODEL, engine())).start()) {
            List<BackendSpec> fleet = List.of(
                    BackendSpec.triton(triton.endpoint(), TRITON_MODEL, 16, Duration.ofSeconds(10)),
                    new BackendSpec(Protocol.OPENAI, vllm.endpoint(), VLLM_MODEL, 0, null, null, null, null, null,
                            Duration.ofSeconds(10), false, OpenAiServer.VLLM, false));
            Gateway gateway = Gateways.acquire(fleet, GatewayOptions.ofDefaults().withPrefixGrouping(true));
            try {
                ManualBackend.awaitReady(gateway, 2);

                // Eight conversations, each four requests sharing its opening, one at a time (a batch goes where
                // its first request's prefix sends it): one server a conversation.
                Map<String, List<String>> protocolsByConversation = new TreeMap<>();
                for (int round = 0; round < 4; round++) {
                    for (int conversation = 0; conversation < 8; conversation++) {
                        Gateway.Answer answer = gateway.submit(GenerationRequest.of("c" + conversation + "-" + round,
                                opening(conversation) + "turn " + round, 8), true, 0).join();
                        protocolsByConversation.computeIfAbsent("c" + conversation, c -> new ArrayList<>())
                                .add(answer.protocol());
                    }
                }
                assertThat(protocolsByConversation.values()).allSatisfy(
                        used -> assertThat(used).as("one server a conversation").containsOnly(used.get(0)));
                assertThat(protocolsByConversation.values().stream().map(used -> used.get(0))
                        .collect(Collectors.toSet())).as("both servers take conversations")
                        .containsExactlyInAnyOrder("triton", "openai");

                // Triton goes down: every request, its conversation's server or not, is answered by vLLM.
                triton.faults().unavailableFor(Duration.ofSeconds(30));
                List<Gateway.Answer> afterOutage = new ArrayList<>();
                for (int conversation = 0; conversation < 8; conversation++) {
                    afterOutage.add(gateway.submit(GenerationRequest.of("late-" + conversation,
                            opening(conversation) + "turn 9", 8), true, 0).join());
                }
                assertThat(afterOutage).extracting(Gateway.Answer::protocol).containsOnly("openai");
                assertThat(afterOutage).extracting(Gateway.Answer::endpoint).containsOnly(vllm.endpoint());
            } finally {
                Gateways.release(fleet);
            }
        }
    }

    /** A conversation's opening, longer than the prefix the gateway groups by. */
    private static String opening(int conversation) {
        return "Conversation " + conversation + ": " + "the shared context of this conversation. ".repeat(4);
    }

    private static InflightBatchingEngine engine() {
        return new InflightBatchingEngine(CostModel.llama8bH100(), 20);
    }
}
