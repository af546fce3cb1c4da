package dev.sluice.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.ServeSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartConfig;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Files and Batches endpoints of the OpenAI API, over Jetty's core handler API. Every request but
 * {@code GET /health} needs a bearer key, whose tenant is the only tenant it sees: another tenant's ids answer 404
 * as unknown ones do. Bodies are bounded: JSON at 1 MiB, an upload at {@code serve.max-file-bytes}, spooled to disk
 * as it arrives.
 */
final class BatchApiHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(BatchApiHandler.class);
    static final int MAX_JSON_BYTES = 1 << 20;
    /** What an upload may hold besides the file: its purpose and expiry. */
    private static final long FORM_FIELD_BYTES = 64 << 10;
    private static final int MAX_FILENAME_CHARS = 255;

    private static final Pattern FILE = Pattern.compile("/v1/files/([^/]+)");
    private static final Pattern FILE_CONTENT = Pattern.compile("/v1/files/([^/]+)/content");
    private static final Pattern BATCH = Pattern.compile("/v1/batches/([^/]+)");
    private static final Pattern BATCH_CANCEL = Pattern.compile("/v1/batches/([^/]+)/cancel");

    private final ApiKeys keys;
    private final FileStore files;
    private final BatchService batches;
    private final long maxFileBytes;
    private final long maxTenantBytes;
    private final long defaultExpirySeconds;

    BatchApiHandler(ApiKeys keys, FileStore files, BatchService batches, ServeSettings serve) {
        this.keys = keys;
        this.files = files;
        this.batches = batches;
        this.maxFileBytes = serve.maxFileBytes();
        this.maxTenantBytes = serve.maxTenantBytes();
        this.defaultExpirySeconds = serve.fileExpiry().toSeconds();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        try {
            if (path.equals("/health") && method.equals("GET")) {
                json(response, callback, 200, ApiJson.MAPPER.createObjectNode().put("status", "ok"));
                return true;
            }
            String tenant = keys.tenant(request.getHeaders().get(HttpHeader.AUTHORIZATION))
                    .orElseThrow(ApiException::unauthorized);
            route(tenant, method, path, request, response, callback);
        } catch (ApiException e) {
            json(response, callback, e.status(), e.body());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, path, e);
            json(response, callback, 500, new ApiException(500, "server_error", null, null,
                    "The server had an error while processing your request.").body());
        }
        return true;
    }

    private void route(String tenant, String method, String path, Request request, Response response,
            Callback callback) {
        Fields query = Request.extractQueryParameters(request);
        Matcher matcher;
        if (path.equals("/v1/files")) {
            switch (method) {
                case "POST" -> json(response, callback, 200, ApiJson.MAPPER.valueToTree(upload(tenant, request)));
                case "GET" -> {
                    FileStore.Page page = files.list(tenant, query.getValue("purpose"), query.getValue("after"),
                            limit(query, 10_000, 10_000), !"desc".equals(order(query)));
                    json(response, callback, 200, ApiJson.page(page.files(), page.hasMore(), FileObject::id));
                }
                default -> throw notAllowed(method, path);
            }
        } else if ((matcher = FILE_CONTENT.matcher(path)).matches() && method.equals("GET")) {
            FileObject file = file(tenant, matcher.group(1));
            // Closed by the copy once it has all been sent, or when sending fails.
            InputStream content = files.content(tenant, file).orElseThrow(() -> ApiException.notFound("File",
                    file.id()));
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, file.bytes());
            Content.copy(Content.Source.from(content), response, callback);
        } else if ((matcher = FILE.matcher(path)).matches()) {
            String id = matcher.group(1);
            switch (method) {
                case "GET" -> json(response, callback, 200, ApiJson.MAPPER.valueToTree(file(tenant, id)));
                case "DELETE" -> {
                    if (!files.delete(tenant, id)) {
                        throw ApiException.notFound("File", id);
                    }
                    json(response, callback, 200, ApiJson.MAPPER.createObjectNode().put("id", id)
                            .put("object", "file").put("deleted", true));
                }
                default -> throw notAllowed(method, path);
            }
        } else if (path.equals("/v1/batches")) {
            switch (method) {
                case "POST" -> json(response, callback, 200,
                        ApiJson.MAPPER.valueToTree(batches.create(tenant, BatchRequest.of(body(request)))));
                case "GET" -> {
                    BatchService.Page page = batches.list(tenant, query.getValue("after"), limit(query, 20, 100));
                    json(response, callback, 200, ApiJson.page(page.batches(), page.hasMore(), Batch::id));
                }
                default -> throw notAllowed(method, path);
            }
        } else if ((matcher = BATCH_CANCEL.matcher(path)).matches() && method.equals("POST")) {
            json(response, callback, 200, ApiJson.MAPPER.valueToTree(batches.cancel(tenant, matcher.group(1))));
        } else if ((matcher = BATCH.matcher(path)).matches() && method.equals("GET")) {
            json(response, callback, 200, ApiJson.MAPPER.valueToTree(batches.get(tenant, matcher.group(1))));
        } else {
            throw new ApiException(404, "invalid_request_error", "unknown_url", null,
                    "Unknown request URL: " + method + " " + path);
        }
    }

    /**
     * {@code POST /v1/files}: a multipart form with {@code purpose} ({@code batch}), {@code file} and optionally
     * {@code expires_after[anchor]} and {@code expires_after[seconds]}. The file is spooled to disk as it arrives
     * (Jetty keeps at most 64 KiB of a part in memory) in the store's spool, and moved into the store once whole.
     */
    private FileObject upload(String tenant, Request request) {
        String boundary = MultiPart.extractBoundary(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
        if (boundary == null) {
            throw ApiException.invalid(null, "upload a file as multipart/form-data");
        }
        MultiPartFormData.Parser parser = new MultiPartFormData.Parser(boundary);
        parser.configure(new MultiPartConfig.Builder().location(files.spool()).maxParts(8)
                .maxPartSize(maxFileBytes).maxSize(maxFileBytes + FORM_FIELD_BYTES).maxMemoryPartSize(64 << 10)
                .build());
        try (MultiPartFormData.Parts parts = parser.parse(request).get()) {
            MultiPart.Part purpose = parts.getFirst("purpose");
            MultiPart.Part file = parts.getFirst("file");
            if (purpose == null || !FileObject.BATCH.equals(field(purpose))) {
                throw ApiException.invalid("purpose", "purpose must be 'batch': this server runs batches");
            }
            if (file == null || file.getFileName() == null) {
                throw ApiException.invalid("file", "a file part with a file name is required");
            }
            Long expiresAfter = expiry(parts);
            long stored = files.bytes(tenant);
            if (stored + file.getLength() > maxTenantBytes) {
                throw new ApiException(413, "invalid_request_error", "storage_limit_exceeded", "file",
                        "this key's files hold " + stored + " bytes; with this upload they would pass the limit of "
                                + maxTenantBytes + ": delete files you no longer need");
            }
            long created = System.currentTimeMillis() / 1000;
            return files.add(tenant, filename(file.getFileName()), FileObject.BATCH, created,
                    created + (expiresAfter != null ? expiresAfter : defaultExpirySeconds), file::writeTo);
        } catch (ExecutionException e) {
            throw new ApiException(413, "invalid_request_error", "file_too_large", "file",
                    "the upload is larger than " + maxFileBytes + " bytes or not a valid form: "
                            + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while receiving an upload", e);
        }
    }

    /** {@code expires_after[anchor]} and {@code expires_after[seconds]}, as the SDKs send a nested form field. */
    private static Long expiry(MultiPartFormData.Parts parts) {
        MultiPart.Part anchor = parts.getFirst("expires_after[anchor]");
        MultiPart.Part seconds = parts.getFirst("expires_after[seconds]");
        if (anchor == null && seconds == null) {
            return null;
        }
        var expiresAfter = ApiJson.MAPPER.createObjectNode();
        expiresAfter.put("anchor", anchor == null ? null : field(anchor));
        try {
            expiresAfter.put("seconds", seconds == null ? null : Long.valueOf(field(seconds).strip()));
        } catch (NumberFormatException e) {
            throw ApiException.invalid("expires_after", "expires_after[seconds] must be a number");
        }
        return BatchRequest.expiry(expiresAfter, "expires_after");
    }

    private static String field(MultiPart.Part part) {
        if (part.getLength() > FORM_FIELD_BYTES) {
            throw ApiException.invalid(part.getName(), part.getName() + " is too long");
        }
        return part.getContentAsString(StandardCharsets.UTF_8);
    }

    /** The name as given, without folders or control characters, within a length. */
    static String filename(String given) {
        String name = given.substring(Math.max(given.lastIndexOf('/'), given.lastIndexOf('\\')) + 1)
                .replaceAll("\\p{Cntrl}", "");
        name = name.length() > MAX_FILENAME_CHARS ? name.substring(0, MAX_FILENAME_CHARS) : name;
        return name.isBlank() ? "upload.jsonl" : name;
    }

    private FileObject file(String tenant, String id) {
        return files.find(tenant, id).orElseThrow(() -> ApiException.notFound("File", id));
    }

    private static JsonNode body(Request request) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(MAX_JSON_BYTES + 1);
            if (bytes.length > MAX_JSON_BYTES) {
                throw new ApiException(413, "invalid_request_error", "request_too_large", null,
                        "the request body is larger than " + MAX_JSON_BYTES + " bytes");
            }
            return ApiJson.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalid(null, "the body could not be read: " + e.getMessage());
        }
    }

    private static int limit(Fields query, int defaultLimit, int max) {
        String given = query.getValue("limit");
        if (given == null) {
            return defaultLimit;
        }
        try {
            int limit = Integer.parseInt(given);
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalid("limit", "limit must be a number from 1 to " + max);
    }

    private static String order(Fields query) {
        String order = query.getValue("order");
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw ApiException.invalid("order", "order must be 'asc' or 'desc'");
        }
        return order == null ? "desc" : order.toLowerCase(Locale.ROOT);
    }

    private static ApiException notAllowed(String method, String path) {
        return new ApiException(405, "invalid_request_error", "method_not_allowed", null,
                method + " is not allowed on " + path);
    }

    private static void json(Response response, Callback callback, int status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = ApiJson.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
