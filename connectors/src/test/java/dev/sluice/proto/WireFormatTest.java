package dev.sluice.proto;

import static com.google.protobuf.Descriptors.FieldDescriptor.Type.BOOL;
import static com.google.protobuf.Descriptors.FieldDescriptor.Type.BYTES;
import static com.google.protobuf.Descriptors.FieldDescriptor.Type.DOUBLE;
import static com.google.protobuf.Descriptors.FieldDescriptor.Type.ENUM;
import static com.google.protobuf.Descriptors.FieldDescriptor.Type.FLOAT;
import static com.google.protobuf.Descriptors.FieldDescriptor.Type.INT32;
import static com.google.protobuf.Descriptors.FieldDescriptor.Type.INT64;
import static com.google.protobuf.Descriptors.FieldDescriptor.Type.MESSAGE;
import static com.google.protobuf.Descriptors.FieldDescriptor.Type.STRING;
import static com.google.protobuf.Descriptors.FieldDescriptor.Type.UINT32;
import static com.google.protobuf.Descriptors.FieldDescriptor.Type.UINT64;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.Type;
import dev.sluice.proto.health.HealthCheckRequest;
import dev.sluice.proto.health.HealthCheckResponse;
import dev.sluice.proto.health.HealthGrpc;
import dev.sluice.proto.sglang.common.GetTokenizerChunk;
import dev.sluice.proto.sglang.runtime.SglangServiceGrpc;
import dev.sluice.proto.sglang.runtime.TextGenerateRequest;
import dev.sluice.proto.sglang.runtime.TextGenerateResponse;
import dev.sluice.proto.sglang.scheduler.GenerateComplete;
import dev.sluice.proto.sglang.scheduler.GenerateRequest;
import dev.sluice.proto.sglang.scheduler.GenerateResponse;
import dev.sluice.proto.sglang.scheduler.GenerateStreamChunk;
import dev.sluice.proto.sglang.scheduler.GetLoadsResponse;
import dev.sluice.proto.sglang.scheduler.GetModelInfoResponse;
import dev.sluice.proto.sglang.scheduler.SamplingParams;
import dev.sluice.proto.sglang.scheduler.SchedulerLoad;
import dev.sluice.proto.sglang.scheduler.SglangSchedulerGrpc;
import dev.sluice.proto.sglang.scheduler.TokenizedInput;
import dev.sluice.proto.triton.GRPCInferenceServiceGrpc;
import dev.sluice.proto.triton.InferParameter;
import dev.sluice.proto.triton.InferTensorContents;
import dev.sluice.proto.triton.ModelConfig;
import dev.sluice.proto.triton.ModelDynamicBatching;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelInferResponse;
import dev.sluice.proto.triton.ModelMetadataResponse;
import dev.sluice.proto.triton.ModelStatistics;
import dev.sluice.proto.triton.ModelStreamInferResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated messages against upstream's field numbers and types, as the project's protocol references give
 * them (Triton common@83adf7c; smg sglang_scheduler.proto@517eb3221; sglang runtime/v1@cde1809f): both sides of
 * every socket test are generated from the same files, so only this table catches a number that drifted.
 */
class WireFormatTest {

    static Stream<Arguments> upstreamFields() {
        return Stream.of(
                // Triton
                field(ModelInferRequest.getDescriptor(), "model_name", 1, STRING),
                field(ModelInferRequest.getDescriptor(), "model_version", 2, STRING),
                field(ModelInferRequest.getDescriptor(), "id", 3, STRING),
                field(ModelInferRequest.getDescriptor(), "parameters", 4, MESSAGE),
                field(ModelInferRequest.getDescriptor(), "inputs", 5, MESSAGE),
                field(ModelInferRequest.getDescriptor(), "outputs", 6, MESSAGE),
                field(ModelInferRequest.getDescriptor(), "raw_input_contents", 7, BYTES),
                field(ModelInferRequest.InferInputTensor.getDescriptor(), "name", 1, STRING),
                field(ModelInferRequest.InferInputTensor.getDescriptor(), "datatype", 2, STRING),
                field(ModelInferRequest.InferInputTensor.getDescriptor(), "shape", 3, INT64),
                field(ModelInferRequest.InferInputTensor.getDescriptor(), "contents", 5, MESSAGE),
                field(ModelInferRequest.InferRequestedOutputTensor.getDescriptor(), "name", 1, STRING),
                field(ModelInferResponse.getDescriptor(), "id", 3, STRING),
                field(ModelInferResponse.getDescriptor(), "parameters", 4, MESSAGE),
                field(ModelInferResponse.getDescriptor(), "outputs", 5, MESSAGE),
                field(ModelInferResponse.getDescriptor(), "raw_output_contents", 6, BYTES),
                field(ModelStreamInferResponse.getDescriptor(), "error_message", 1, STRING),
                field(ModelStreamInferResponse.getDescriptor(), "infer_response", 2, MESSAGE),
                field(InferParameter.getDescriptor(), "bool_param", 1, BOOL),
                field(InferParameter.getDescriptor(), "int64_param", 2, INT64),
                field(InferParameter.getDescriptor(), "string_param", 3, STRING),
                field(InferParameter.getDescriptor(), "double_param", 4, DOUBLE),
                field(InferParameter.getDescriptor(), "uint64_param", 5, UINT64),
                field(InferTensorContents.getDescriptor(), "int_contents", 2, INT32),
                field(InferTensorContents.getDescriptor(), "uint64_contents", 5, UINT64),
                field(InferTensorContents.getDescriptor(), "fp32_contents", 6, FLOAT),
                field(InferTensorContents.getDescriptor(), "bytes_contents", 8, BYTES),
                field(ModelMetadataResponse.getDescriptor(), "inputs", 4, MESSAGE),
                field(ModelMetadataResponse.getDescriptor(), "outputs", 5, MESSAGE),
                field(ModelMetadataResponse.TensorMetadata.getDescriptor(), "shape", 3, INT64),
                field(ModelConfig.getDescriptor(), "max_batch_size", 4, INT32),
                field(ModelConfig.getDescriptor(), "model_transaction_policy", 19, MESSAGE),
                field(ModelConfig.getDescriptor(), "dynamic_batching", 11, MESSAGE),
                field(ModelDynamicBatching.getDescriptor(), "priority_levels", 4, UINT64),
                field(ModelDynamicBatching.getDescriptor(), "default_priority_level", 5, UINT64),
                field(ModelStatistics.getDescriptor(), "inference_count", 4, UINT64),
                field(ModelStatistics.getDescriptor(), "execution_count", 5, UINT64),
                field(ModelStatistics.getDescriptor(), "inference_stats", 6, MESSAGE),
                field(ModelStatistics.getDescriptor(), "response_stats", 9, MESSAGE),
                field(HealthCheckRequest.getDescriptor(), "service", 1, STRING),
                field(HealthCheckResponse.getDescriptor(), "status", 1, ENUM),
                // SGLang scheduler (--smg-grpc-mode)
                field(SamplingParams.getDescriptor(), "temperature", 1, FLOAT),
                field(SamplingParams.getDescriptor(), "top_p", 2, FLOAT),
                field(SamplingParams.getDescriptor(), "top_k", 3, INT32),
                field(SamplingParams.getDescriptor(), "min_p", 4, FLOAT),
                field(SamplingParams.getDescriptor(), "repetition_penalty", 7, FLOAT),
                field(SamplingParams.getDescriptor(), "max_new_tokens", 8, UINT32),
                field(SamplingParams.getDescriptor(), "stop", 9, STRING),
                field(SamplingParams.getDescriptor(), "stop_token_ids", 10, UINT32),
                field(SamplingParams.getDescriptor(), "skip_special_tokens", 11, BOOL),
                field(SamplingParams.getDescriptor(), "regex", 13, STRING),
                field(SamplingParams.getDescriptor(), "structural_tag", 16, STRING),
                field(SamplingParams.getDescriptor(), "n", 17, UINT32),
                field(SamplingParams.getDescriptor(), "min_new_tokens", 18, UINT32),
                field(SamplingParams.getDescriptor(), "ignore_eos", 19, BOOL),
                field(SamplingParams.getDescriptor(), "logit_bias", 22, MESSAGE),
                field(GenerateRequest.getDescriptor(), "request_id", 1, STRING),
                field(GenerateRequest.getDescriptor(), "tokenized", 2, MESSAGE),
                field(GenerateRequest.getDescriptor(), "sampling_params", 4, MESSAGE),
                field(GenerateRequest.getDescriptor(), "data_parallel_rank", 16, INT32),
                field(GenerateRequest.getDescriptor(), "stream", 17, BOOL),
                field(GenerateRequest.getDescriptor(), "require_reasoning", 18, BOOL),
                field(TokenizedInput.getDescriptor(), "original_text", 1, STRING),
                field(TokenizedInput.getDescriptor(), "input_ids", 2, UINT32),
                field(GenerateResponse.getDescriptor(), "request_id", 1, STRING),
                field(GenerateResponse.getDescriptor(), "chunk", 2, MESSAGE),
                field(GenerateResponse.getDescriptor(), "complete", 3, MESSAGE),
                field(GenerateStreamChunk.getDescriptor(), "token_ids", 1, UINT32),
                field(GenerateStreamChunk.getDescriptor(), "cached_tokens", 4, UINT32),
                field(GenerateStreamChunk.getDescriptor(), "index", 8, UINT32),
                field(GenerateStreamChunk.getDescriptor(), "reasoning_tokens", 9, UINT32),
                field(GenerateComplete.getDescriptor(), "output_ids", 1, UINT32),
                field(GenerateComplete.getDescriptor(), "finish_reason", 2, STRING),
                field(GenerateComplete.getDescriptor(), "cached_tokens", 5, UINT32),
                field(GenerateComplete.getDescriptor(), "matched_stop_str", 9, STRING),
                field(GenerateComplete.getDescriptor(), "reasoning_tokens", 12, UINT32),
                field(GetModelInfoResponse.getDescriptor(), "max_context_length", 7, INT32),
                field(GetModelInfoResponse.getDescriptor(), "eos_token_ids", 11, INT32),
                field(GetModelInfoResponse.getDescriptor(), "default_sampling_params_json", 20, STRING),
                field(GetLoadsResponse.getDescriptor(), "loads", 4, MESSAGE),
                field(GetLoadsResponse.getDescriptor(), "aggregate", 5, MESSAGE),
                field(SchedulerLoad.getDescriptor(), "cache_hit_rate", 9, DOUBLE),
                field(SchedulerLoad.getDescriptor(), "max_running_requests", 11, INT32),
                field(SchedulerLoad.getDescriptor(), "num_waiting_uncached_tokens", 17, INT32),
                field(GetTokenizerChunk.getDescriptor(), "data", 1, BYTES),
                field(GetTokenizerChunk.getDescriptor(), "sha256", 2, STRING),
                // SGLang native runtime
                field(TextGenerateRequest.getDescriptor(), "text", 1, STRING),
                field(TextGenerateRequest.getDescriptor(), "sampling_params", 2, MESSAGE),
                field(TextGenerateRequest.getDescriptor(), "stream", 3, BOOL),
                field(TextGenerateRequest.getDescriptor(), "rid", 8, STRING),
                field(TextGenerateRequest.getDescriptor(), "routing_key", 10, STRING),
                field(TextGenerateResponse.getDescriptor(), "text", 1, STRING),
                field(TextGenerateResponse.getDescriptor(), "meta_info", 2, MESSAGE),
                field(TextGenerateResponse.getDescriptor(), "finished", 3, BOOL),
                field(dev.sluice.proto.sglang.runtime.SamplingParams.getDescriptor(), "max_new_tokens", 8, INT32),
                field(dev.sluice.proto.sglang.runtime.SamplingParams.getDescriptor(), "stop", 10, STRING));
    }

    private static Arguments field(Descriptor message, String name, int number, Type type) {
        return Arguments.of(message.getFullName() + "." + name, message, name, number, type);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("upstreamFields")
    void fieldsKeepUpstreamNumbersAndTypes(String label, Descriptor message, String name, int number, Type type) {
        FieldDescriptor field = message.findFieldByName(name);

        assertThat(field).as(label).isNotNull();
        assertThat(field.getNumber()).as(label).isEqualTo(number);
        assertThat(field.getType()).as(label).isEqualTo(type);
    }

    @Test
    void servicesAndMessagesKeepUpstreamNames() {
        assertThat(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName())
                .isEqualTo("inference.GRPCInferenceService/ModelInfer");
        assertThat(GRPCInferenceServiceGrpc.getModelStreamInferMethod().getFullMethodName())
                .isEqualTo("inference.GRPCInferenceService/ModelStreamInfer");
        assertThat(HealthGrpc.getCheckMethod().getFullMethodName()).isEqualTo("grpc.health.v1.Health/Check");
        assertThat(SglangSchedulerGrpc.getGenerateMethod().getFullMethodName())
                .isEqualTo("sglang.grpc.scheduler.SglangScheduler/Generate");
        assertThat(SglangSchedulerGrpc.getGetTokenizerMethod().getFullMethodName())
                .isEqualTo("sglang.grpc.scheduler.SglangScheduler/GetTokenizer");
        assertThat(SglangServiceGrpc.getTextGenerateMethod().getFullMethodName())
                .isEqualTo("sglang.runtime.v1.SglangService/TextGenerate");
        assertThat(ModelInferRequest.InferInputTensor.getDescriptor().getFullName())
                .isEqualTo("inference.ModelInferRequest.InferInputTensor");
        assertThat(GetTokenizerChunk.getDescriptor().getFullName()).isEqualTo("smg.grpc.common.GetTokenizerChunk");
        // Field 4 of GenerateResponse was GenerateError; upstream reserves it.
        assertThat(GenerateResponse.getDescriptor().findFieldByNumber(4)).isNull();
    }
}
