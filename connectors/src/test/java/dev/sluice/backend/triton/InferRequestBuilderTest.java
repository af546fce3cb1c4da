package dev.sluice.backend.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.backend.OutputConstraint.Kind;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelMetadataResponse;
import dev.sluice.proto.triton.ModelMetadataResponse.TensorMetadata;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link InferRequestBuilder} and {@link TritonModelSignature}: TensorRT-LLM's guided-decoding tensors. */
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
        assertThat(InferRequestBuilder.Shape.of(constrained("a", Kind.REGEX, "[0-9]+")))
                .isNotEqualTo(InferRequestBuilder.Shape.of(GenerationRequest.of("b", "hello", 64)));
    }
}
