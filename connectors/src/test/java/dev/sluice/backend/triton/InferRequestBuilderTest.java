package dev.sluice.backend.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.backend.OutputConstraint.Kind;
import dev.sluice.proto.triton.InferParameter;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelMetadataResponse;
import dev.sluice.proto.triton.ModelMetadataResponse.TensorMetadata;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link InferRequestBuilder} and {@link TritonModelSignature}: TensorRT-LLM's guided-decoding tensors, and
 * the request priority a deployment with priority scheduling sends.
 */
class InferRequestBuilderTest {

    private static final TritonModelOptions OPTIONS = TritonModelOptions.ofDefaults("ensemble");

    private static TritonModelSignature ensemble(boolean guided) {
        ModelMetadataResponse.Builder metadata = ModelMetadataResponse.newBuilder().setName("ensemble")
                .addInputs(tensor("text_input", TritonTensors.BYTES))
                .addInputs(tensor("max_tokens", TritonTensors.INT32))
                .addOutputs(tensor("text_output", TritonTensors.BYTES));
        if (guided) {
            metadata.addInputs(tensor("guided_decoding_guide_type", TritonTensors.BYTES))
                    .addInputs(tensor("guided_decoding_guide", TritonTensors.BYTES));
        }
        return TritonModelSignature.check(metadata.build(), TritonTensorNames.ensemble(), "host:8001", false);
    }

    private static TensorMetadata tensor(String name, String datatype) {
        return TensorMetadata.newBuilder().setName(name).setDatatype(datatype).addShape(-1).addShape(1).build();
    }

    private static GenerationRequest constrained(String id, Kind kind, String text) {
        return GenerationRequest.of(id, "Extract the order", 64).withConstraint(new OutputConstraint(kind, text));
    }

    private static List<String> strings(ModelInferRequest request, String name) {
        for (int i = 0; i < request.getInputsCount(); i++) {
            if (request.getInputs(i).getName().equals(name)) {
                assertThat(request.getInputs(i).getDatatype()).isEqualTo(TritonTensors.BYTES);
                assertThat(request.getInputs(i).getShapeList()).containsExactly(2L, 1L);
                return TritonTensors.decodeStrings(request.getRawInputContents(i));
            }
        }
        throw new AssertionError("no input " + name);
    }

    @Test
    void eachRequestsGuideTravelsInTheGuidedDecodingTensors() {
        List<GenerationRequest> batch = List.of(constrained("a", Kind.JSON_SCHEMA, "{\"type\": \"object\"}"),
                constrained("b", Kind.GRAMMAR, "root ::= [0-9]+"));

        ModelInferRequest request = new InferRequestBuilder(OPTIONS, ensemble(true), batch, "a+1")
                .unary(TritonTensorNames.ensemble());

        assertThat(strings(request, "guided_decoding_guide_type")).containsExactly("json_schema", "ebnf_grammar");
        assertThat(strings(request, "guided_decoding_guide"))
                .containsExactly("{\"type\": \"object\"}", "root ::= [0-9]+");
    }

    @Test
    void freeTextSendsNoGuide() {
        ModelInferRequest request = new InferRequestBuilder(OPTIONS, ensemble(true),
                List.of(GenerationRequest.of("a", "hello", 8)), "a").unary(TritonTensorNames.ensemble());

        assertThat(request.getInputsList()).extracting(ModelInferRequest.InferInputTensor::getName)
                .doesNotContain("guided_decoding_guide_type", "guided_decoding_guide");
    }

    /** Sent without its guide, a request for JSON would come back as free text: the call fails instead. */
    @Test
    void aModelWithoutGuideTensorsFailsAConstrainedRequest() {
        List<GenerationRequest> batch = List.of(constrained("a", Kind.REGEX, "[0-9]+"));

        assertThatThrownBy(() -> new InferRequestBuilder(OPTIONS, ensemble(false), batch, "a")
                .unary(TritonTensorNames.ensemble()))
                .isInstanceOf(BackendException.class).hasMessageContaining("no guided-decoding input tensors");
    }

    /** A deployment that promises guided decoding is checked for it once, at start-up, not per request. */
    @Test
    void aDeploymentPromisingGuidedDecodingNeedsTheTensorsAtStartUp() {
        ModelMetadataResponse plain = ModelMetadataResponse.newBuilder().setName("ensemble")
                .addInputs(tensor("text_input", TritonTensors.BYTES)).addInputs(tensor("max_tokens", TritonTensors.INT32))
                .addOutputs(tensor("text_output", TritonTensors.BYTES)).build();

        assertThatThrownBy(() -> TritonModelSignature.check(plain, TritonTensorNames.ensemble(), "host:8001", true))
                .isInstanceOf(BackendException.class).hasMessageContaining("'guided_decoding_guide_type'");
        assertThat(TritonModelSignature.check(plain, TritonTensorNames.ensemble(), "host:8001", false).batched())
                .isTrue();
    }

    @Test
    void constrainedAndFreeRequestsTravelApart() {
        assertThat(InferRequestBuilder.Shape.of(constrained("a", Kind.REGEX, "[0-9]+"), false))
                .isNotEqualTo(InferRequestBuilder.Shape.of(GenerationRequest.of("b", "hello", 64), false));
    }

    /** Without priority scheduling no request says a priority, and Triton queues them all at its default level. */
    @Test
    void aDeploymentWithoutPrioritySchedulingSendsNoPriority() {
        ModelInferRequest request = new InferRequestBuilder(OPTIONS, ensemble(false),
                List.of(GenerationRequest.of("a", "hello", 8).withInteractive(true)), "a")
                .unary(TritonTensorNames.ensemble());

        assertThat(request.getParametersMap()).doesNotContainKey("priority");
        assertThat(TritonBackend.split(List.of(GenerationRequest.of("a", "x", 8).withInteractive(true),
                GenerationRequest.of("b", "y", 8)), 64, false)).hasSize(1);
    }

    /** Interactive work at level 1, batch work at the deployment's lowest level, as uint64_param. */
    @Test
    void withPrioritySchedulingEachCallSaysItsLevelAsUint64() {
        TritonModelOptions threeLevels = OPTIONS.withPriorityLevels(3);

        ModelInferRequest interactive = new InferRequestBuilder(threeLevels, ensemble(false),
                List.of(GenerationRequest.of("a", "hello", 8).withInteractive(true)), "a")
                .unary(TritonTensorNames.ensemble());
        ModelInferRequest bulk = new InferRequestBuilder(threeLevels, ensemble(false),
                List.of(GenerationRequest.of("b", "hello", 8)), "b").streamed(TritonTensorNames.ensemble());

        assertThat(interactive.getParametersMap().get("priority").getParameterChoiceCase())
                .isEqualTo(InferParameter.ParameterChoiceCase.UINT64_PARAM);
        assertThat(interactive.getParametersMap().get("priority").getUint64Param()).isEqualTo(1);
        assertThat(bulk.getParametersMap().get("priority").getUint64Param()).isEqualTo(3);
    }

    /** One priority parameter covers a whole call, so interactive and batch requests never share one. */
    @Test
    void withPrioritySchedulingInteractiveAndBatchRequestsTravelApart() {
        List<GenerationRequest> mixed = List.of(GenerationRequest.of("a", "x", 8).withInteractive(true),
                GenerationRequest.of("b", "y", 8), GenerationRequest.of("c", "z", 8).withInteractive(true));

        List<List<GenerationRequest>> calls = TritonBackend.split(mixed, 64, true);

        assertThat(calls).extracting(call -> call.stream().map(GenerationRequest::id).toList())
                .containsExactly(List.of("a", "c"), List.of("b"));
    }

    /**
     * The parameter as it leaves on the wire, read by upstream's field numbers alone (grpc_service.proto:
     * ModelInferRequest.parameters = 4, a map entry's key = 1 and value = 2, InferParameter.uint64_param = 5), as
     * a server built from the upstream proto decodes it.
     */
    @Test
    void thePriorityParameterIsEncodedAsUpstreamsProtoHasIt() throws Exception {
        byte[] wire = new InferRequestBuilder(OPTIONS.withPriorityLevels(2), ensemble(false),
                List.of(GenerationRequest.of("b", "hello", 8)), "b").unary(TritonTensorNames.ensemble()).toByteArray();

        Map<String, Long> uint64Parameters = new HashMap<>();
        CodedInputStream in = CodedInputStream.newInstance(wire);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) != 4) {
                in.skipField(tag);
                continue;
            }
            CodedInputStream entry = in.readBytes().newCodedInput();
            String key = null;
            Long value = null;
            for (int entryTag = entry.readTag(); entryTag != 0; entryTag = entry.readTag()) {
                if (WireFormat.getTagFieldNumber(entryTag) == 1) {
                    key = entry.readStringRequireUtf8();
                } else if (WireFormat.getTagFieldNumber(entryTag) == 2) {
                    CodedInputStream parameter = entry.readBytes().newCodedInput();
                    for (int p = parameter.readTag(); p != 0; p = parameter.readTag()) {
                        if (WireFormat.getTagFieldNumber(p) == 5
                                && WireFormat.getTagWireType(p) == WireFormat.WIRETYPE_VARINT) {
                            value = parameter.readUInt64();
                        } else {
                            parameter.skipField(p);
                        }
                    }
                } else {
                    entry.skipField(entryTag);
                }
            }
            if (value != null) {
                uint64Parameters.put(key, value);
            }
        }

        assertThat(uint64Parameters).containsExactly(Map.entry("priority", 2L));
    }

    @Test
    void priorityLevelsAreNoneOrAtLeastTwo() {
        assertThatThrownBy(() -> OPTIONS.withPriorityLevels(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 (none sent) or at least 2");
        assertThat(OPTIONS.sendsPriority()).isFalse();
        assertThat(OPTIONS.withPriorityLevels(2).sendsPriority()).isTrue();
    }
}
