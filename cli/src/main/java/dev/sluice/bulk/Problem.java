package dev.sluice.bulk;

import java.util.regex.Pattern;

/**
 * One thing wrong with a bulk input, in the parts an OpenAI-style batch API reports ({@code errors.data[]}: its
 * code, line and message) and, through {@link #describe()}, as the command line prints it.
 *
 * @param line the line of the input it is about, from 1; null when it is about no one line of the input: a CSV row
 *     (a row may span lines), a file of a directory, the input or the run as a whole
 * @param code what kind of problem: one of the constants here, stable, for programs to branch on
 * @param message what is wrong, for a person, without the line
 */
public record Problem(Integer line, String code, String message) {

    /** A line that is not a JSON object. */
    public static final String INVALID_JSON = "invalid_json";
    /** Bytes that are not UTF-8: a replacement character would go unnoticed into every prompt. */
    public static final String INVALID_UTF8 = "invalid_utf8";
    /** A line with no {@code custom_id}, or a CSV row with an empty id cell. */
    public static final String MISSING_CUSTOM_ID = "missing_custom_id";
    /** A {@code custom_id} that is not a non-blank string. */
    public static final String INVALID_CUSTOM_ID = "invalid_custom_id";
    /** An item id used before in the same input. */
    public static final String DUPLICATE_CUSTOM_ID = "duplicate_custom_id";
    /** A {@code body} that is not an object, or missing where a {@code url} asks for one. */
    public static final String INVALID_BODY = "invalid_body";
    /** A line with neither or both of a text and a conversation. */
    public static final String INVALID_ITEM = "invalid_item";
    /** A text or a {@code body.prompt} that is not a non-blank string; a blank CSV cell or text file. */
    public static final String INVALID_TEXT = "invalid_text";
    /** A conversation that is not a non-empty array of messages with known roles and string contents. */
    public static final String INVALID_MESSAGES = "invalid_messages";
    /** A {@code max_tokens} that is not a positive integer, or given twice. */
    public static final String INVALID_MAX_TOKENS = "invalid_max_tokens";
    /** A sampling parameter ({@code temperature}, {@code top_p}, {@code seed}, {@code stop}) of the wrong type. */
    public static final String INVALID_PARAMETER = "invalid_parameter";
    /** A {@code body.model} that is not a string. */
    public static final String INVALID_MODEL = "invalid_model";
    /** A {@code url} that is not an endpoint Sluice serves, or not the batch's endpoint. */
    public static final String INVALID_URL = "invalid_url";
    /** A {@code method} other than POST. */
    public static final String INVALID_METHOD = "invalid_method";
    /** A CSV file that cannot be parsed, or a row whose fields do not match the header. */
    public static final String INVALID_CSV = "invalid_csv";
    /** A CSV column named for the text or the ids that the header lacks or has twice. */
    public static final String INVALID_COLUMN = "invalid_column";
    /** An input without a single item. */
    public static final String EMPTY_FILE = "empty_file";
    /** An input with more lines (or rows, or files) than the submission allows. */
    public static final String TOO_MANY_LINES = "too_many_lines";
    /** A line longer than the reader holds ({@code JsonlItems.MAX_LINE_BYTES}); skipped unread. */
    public static final String LINE_TOO_LONG = "line_too_long";
    /** A request too large to travel even alone in one record. */
    public static final String REQUEST_TOO_LARGE = "request_too_large";
    /** A text item whose prompt cannot fit the model's context with its max tokens. */
    public static final String CONTEXT_EXCEEDED = "context_exceeded";
    /** An input of a format Sluice does not read. */
    public static final String UNSUPPORTED_INPUT = "unsupported_input";
    /** An input that is not there, or cannot be read. */
    public static final String UNREADABLE_INPUT = "unreadable_input";
    /** A prompt template that cannot be used. */
    public static final String INVALID_TEMPLATE = "invalid_template";
    /** Run options that do not go together, such as a translation without a target language. */
    public static final String INVALID_OPTIONS = "invalid_options";
    /** A run that no model may serve for its tenant. */
    public static final String NO_MODEL = "no_model";

    private static final Pattern CODE = Pattern.compile("[a-z0-9]+(_[a-z0-9]+)*");

    public Problem {
        if (line != null && line < 1) {
            throw new IllegalArgumentException("lines count from 1, got " + line);
        }
        if (code == null || !CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("a problem's code is snake_case, got " + code);
        }
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("a problem needs a message");
        }
    }

    /** A problem about line {@code line} of the input. */
    public static Problem at(int line, String code, String message) {
        return new Problem(line, code, message);
    }

    /** A problem about no one line; its message says where, if anywhere. */
    public static Problem of(String code, String message) {
        return new Problem(null, code, message);
    }

    /** As the command line prints it: {@code line N: message}, or the message alone. */
    public String describe() {
        return line == null ? message : "line " + line + ": " + message;
    }
}
