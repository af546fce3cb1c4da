package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.launch.SluiceJobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Every {@code sluice} command shown in {@code README.md} and {@code docs/*.md} parses with the real command line
 * ({@link SluiceCli}), never executed, so a renamed command or option fails the build rather than the reader; one
 * submitted to a cluster, {@code flink run … sluice-job.jar …}, parses with the job jar's ({@link SluiceJobs}), and
 * only the job jar is submitted so.
 *
 * <p>Commands are found in fenced code blocks (shell lines with {@code \} continuations, and Python's adjacent string
 * literals, as an Airflow task writes a command) and in inline code, as {@code ./sluice …}, {@code sluice …},
 * {@code java -jar …sluice.jar …} or {@code flink run … sluice-job.jar …}. Blocks fenced as {@code text} are output and
 * are skipped, as is inline code that reads as a message ({@code sluice run: …}). Upper-case placeholders
 * ({@code ID}, {@code T}, {@code N}) stand for any value of the option's type, {@code COMMAND} for any command. In
 * inline code, the synopsis forms of the command table are expanded: {@code [optional]} parts are included,
 * {@code a|b} tried one by one, {@code ...} dropped; and a fragment that leaves out a required option or an option's
 * value is accepted, since prose names options by themselves.
 */
class DocumentedCommandsTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern PLACEHOLDER = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Pattern DURATION = Pattern.compile("P(T)?[0-9].*");
    /** Inline code that is a message the command prints, {@code sluice run: topic … is missing}. */
    private static final Pattern MESSAGE = Pattern.compile("(\\./)?sluice( [A-Za-z-]+)+:(\\s.*)?", Pattern.DOTALL);
    private static final Pattern LAUNCHER = Pattern.compile("(?<![\\w./-])\\./sluice\\s");
    private static final Pattern JAR = Pattern.compile(
            "(?:(?:^|\\s)-jar\\s+|\\bflink\\s+run(?:-application)?\\s+(?:\\S+\\s+)*?)\\S*sluice(-job)?\\.jar(?=\\s|$)");
    private static final Pattern INLINE = Pattern.compile("`([^`]+)`");

    /** A command as the docs show it. */
    record Documented(String file, int line, String text, boolean inline) {
        /** Whether it runs the job jar, whose entry point has only {@code run}. */
        boolean jobJar() {
            Matcher jar = JAR.matcher(text);
            return jar.find() && jar.group(1) != null;
        }

        @Override
        public String toString() {
            return file + ":" + line + ": " + text;
        }
    }

    static List<Documented> documented() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(file -> file.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Documented> found = new ArrayList<>();
        for (Path file : files) {
            found.addAll(commandsIn(ROOT.relativize(file).toString().replace('\\', '/'), Files.readAllLines(file)));
        }
        return found;
    }

    /** The commands of one file: its fenced blocks line by line, then the inline code of the text around them. */
    static List<Documented> commandsIn(String file, List<String> lines) {
        List<Documented> found = new ArrayList<>();
        StringBuilder prose = new StringBuilder();
        String fence = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith("```")) {
                fence = fence == null ? line.strip().substring(3).strip() : null;
                prose.append('\n');
                continue;
            }
            if (fence == null) {
                prose.append(line).append('\n');
                continue;
            }
            prose.append('\n');
            if (fence.equals("text")) {
                continue;
            }
            int first = i;
            StringBuilder logical = new StringBuilder(line);
            boolean python = fence.equals("python");
            // A shell line continued with a backslash; a Python string literal continued by the next one.
            while (i + 1 < lines.size() && !lines.get(i + 1).strip().startsWith("```")
                    && (!python && logical.toString().endsWith("\\")
                        || python && logical.toString().strip().endsWith("\"")
                            && lines.get(i + 1).strip().startsWith("\""))) {
                String next = lines.get(++i);
                if (python) {
                    logical.setLength(logical.lastIndexOf("\""));
                    logical.append(next.strip().substring(1));
                } else {
                    logical.setLength(logical.length() - 1);
                    logical.append(' ').append(next.strip());
                }
                prose.append('\n');
            }
            for (String command : commandsOnLine(logical.toString(), python)) {
                found.add(new Documented(file, first + 1, command, false));
            }
        }
        Matcher inline = INLINE.matcher(prose);
        while (inline.find()) {
            String span = inline.group(1).replace("\\|", "|");
            if (span.contains("\n\n") || MESSAGE.matcher(span).matches()) {
                continue;
            }
            String flat = span.replace('\n', ' ');
            if (flat.startsWith("sluice ") || flat.startsWith("./sluice ") || flat.matches("[A-Z_]+=\\S* \\./sluice .*")
                    || JAR.matcher(flat).find() && (flat.startsWith("java ") || flat.startsWith("flink "))) {
                int line = (int) prose.substring(0, inline.start()).chars().filter(c -> c == '\n').count() + 1;
                found.add(new Documented(file, line, flat, true));
            }
        }
        return found;
    }

    /** The commands on one line of a code block, each from its launcher or jar on. */
    static List<String> commandsOnLine(String line, boolean python) {
        List<String> commands = new ArrayList<>();
        Matcher launcher = LAUNCHER.matcher(line);
        while (launcher.find()) {
            String rest = line.substring(launcher.start()).stripLeading();
            if (python && rest.indexOf('"') >= 0) {
                rest = rest.substring(0, rest.indexOf('"'));
            }
            commands.add(rest);
        }
        Matcher jar = JAR.matcher(line);
        while (jar.find()) {
            commands.add(line.substring(jar.start()).strip());
        }
        return commands;
    }

    /**
     * The argument lists a documented command stands for: its words after the launcher or jar, cut at the end of
     * the shell command, with a synopsis's alternatives and a {@code COMMAND} placeholder expanded.
     */
    static List<List<String>> argumentLists(Documented command) {
        String text = command.text().replaceAll("\\{\\{[^}]*}}", "X");
        Matcher jar = JAR.matcher(text);
        String args = jar.find() ? text.substring(jar.end()) : text.substring(text.indexOf("sluice") + 6);
        if (command.inline()) {
            args = args.replace("]...", "]").replace("[", " ").replace("]", " ");
        }
        List<List<String>> lists = new ArrayList<>();
        lists.add(new ArrayList<>());
        for (String word : words(args, command.inline())) {
            if (command.inline() && word.equals("...")) {
                continue;
            }
            List<String> alternatives = command.inline() && word.contains("|")
                    ? List.of(word.split("\\|")) : List.of(word);
            List<List<String>> expanded = new ArrayList<>();
            for (List<String> list : lists) {
                for (String alternative : alternatives) {
                    List<String> longer = new ArrayList<>(list);
                    longer.add(alternative);
                    expanded.add(longer);
                }
            }
            lists = expanded;
        }
        List<List<String>> concrete = new ArrayList<>();
        for (List<String> list : lists) {
            concrete.addAll(withValues(list));
        }
        return concrete;
    }

    /**
     * Splits a shell command's words as a shell would (quotes, backslashes, {@code $(…)}), up to the first
     * {@code ;}, {@code &}, {@code |}, redirection, backquote or comment; in a synopsis, {@code |} separates
     * alternatives instead.
     */
    static List<String> words(String text, boolean synopsis) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (c == '#' && word == null || c == '`' || ";&<>".indexOf(c) >= 0 || c == '|' && !synopsis) {
                break;
            }
            word = word == null ? new StringBuilder() : word;
            if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                end = end < 0 ? text.length() : end;
                word.append(text, i + 1, end);
                i = end;
            } else if (c == '"') {
                for (i++; i < text.length() && text.charAt(i) != '"'; i++) {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    word.append(text.charAt(i));
                }
            } else if (c == '\\' && i + 1 < text.length()) {
                word.append(text.charAt(++i));
            } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '(') {
                int depth = 0;
                int start = i;
                for (; i < text.length(); i++) {
                    depth += text.charAt(i) == '(' ? 1 : text.charAt(i) == ')' ? -1 : 0;
                    if (depth == 0 && text.charAt(i) == ')') {
                        break;
                    }
                }
                word.append(text, start, Math.min(i + 1, text.length()));
            } else {
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * The arguments with each placeholder value replaced by a value of its option's type, and a placeholder where a
     * command is expected replaced by each command in turn.
     */
    static List<List<String>> withValues(List<String> args) {
        List<List<String>> lists = new ArrayList<>();
        CommandSpec spec = SluiceCli.commandLine().getCommandSpec();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!spec.subcommands().isEmpty() && arg.equals("COMMAND")) {
                for (String name : spec.subcommands().keySet()) {
                    List<String> each = new ArrayList<>(out);
                    each.add(name);
                    each.addAll(args.subList(i + 1, args.size()));
                    lists.addAll(withValues(each));
                }
                return lists;
            }
            if (spec.subcommands().containsKey(arg)) {
                spec = spec.subcommands().get(arg).getCommandSpec();
                out.add(arg);
                continue;
            }
            out.add(arg);
            OptionSpec option = arg.startsWith("-") && !arg.contains("=") ? spec.findOption(arg) : null;
            if (option != null && option.arity().max() > 0 && i + 1 < args.size()) {
                out.add(valueFor(option, args.get(++i)));
            }
        }
        lists.add(out);
        return lists;
    }

    /** A placeholder ({@code N}, {@code ID}) as a value the option's type accepts; any other value as it is. */
    private static String valueFor(OptionSpec option, String value) {
        if (!PLACEHOLDER.matcher(value).matches() || DURATION.matcher(value).matches()) {
            return value;
        }
        Class<?> type = option.typeInfo().isMultiValue() && option.typeInfo().getAuxiliaryTypes().length > 0
                ? option.typeInfo().getAuxiliaryTypes()[0] : option.type();
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == double.class || type == Double.class) {
            return "1";
        }
        if (type == Duration.class) {
            return "PT1S";
        }
        if (type.isEnum()) {
            return type.getEnumConstants()[0].toString();
        }
        return value;
    }

    /** Parses one argument list as {@code main} would, without running it; fails naming the documented line. */
    static void parse(Documented command, List<String> args) {
        Matcher jar = JAR.matcher(command.text());
        if (jar.find() && jar.group().strip().startsWith("flink") != command.jobJar()) {
            throw new AssertionError(command + "\n  a cluster runs the job jar, sluice-job.jar, and only a cluster: "
                    + "Flink's runtime is not in it");
        }
        CommandLine cli = command.jobJar() ? SluiceJobs.commandLine() : SluiceCli.commandLine();
        try {
            cli.parseArgs(args.toArray(String[]::new));
        } catch (MissingParameterException e) {
            if (!command.inline()) {
                throw new AssertionError(command + "\n  as " + args + ": " + e.getMessage(), e);
            }
        } catch (ParameterException e) {
            throw new AssertionError(command + "\n  as " + args + ": " + e.getMessage(), e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documented")
    void everyDocumentedCommandParses(Documented command) {
        List<List<String>> lists = argumentLists(command);

        assertThat(lists).as(command.toString()).isNotEmpty();
        lists.forEach(args -> parse(command, args));
    }

    @Test
    void theDocsShowCommandsOfEveryKind() throws IOException {
        List<Documented> found = documented();

        assertThat(found).hasSizeGreaterThan(80);
        assertThat(found).extracting(Documented::file).contains("README.md", "docs/operators.md",
                "docs/bulk-runs.md", "docs/batch-api.md", "docs/commands.md");
        assertThat(found).extracting(Documented::text).anyMatch(text -> text.startsWith("java -jar"))
                .anyMatch(text -> text.startsWith("flink run"))
                .anyMatch(text -> text.contains("--run-id catalogue-ja-{{ ds }}"));
    }

    @Test
    void anUnknownCommandOrOptionFailsWithItsFileAndLine() {
        Documented option = new Documented("docs/x.md", 7, "./sluice bulk submit --input F --run-id R --tenant T "
                + "--no-such-option", false);
        Documented command = new Documented("docs/x.md", 9, "./sluice bulk resume ID --tenant T", false);

        assertThatThrownBy(() -> argumentLists(option).forEach(args -> parse(option, args)))
                .hasMessageContaining("docs/x.md:7: ").hasMessageContaining("--no-such-option");
        assertThatThrownBy(() -> argumentLists(command).forEach(args -> parse(command, args)))
                .hasMessageContaining("docs/x.md:9: ").hasMessageContaining("resume");
    }

    @Test
    void readsContinuationsSynopsesPlaceholdersAndSkipsOutput() {
        List<String> doc = List.of(
                "Run `./sluice top [--refresh PT2S] [--by model\\|tenant]` or `sluice run: topic x is missing`.",
                "```sh",
                "./sluice bench saturation --prompts N \\",
                "    --time-scale 1   # then: ./sluice tail completions --max N",
                "```",
                "```text",
                "./sluice no-such-command",
                "```");

        List<Documented> found = commandsIn("x.md", doc);

        assertThat(found).extracting(Documented::toString).containsExactly(
                "x.md:3: ./sluice bench saturation --prompts N  --time-scale 1   # then: ./sluice tail completions"
                        + " --max N",
                "x.md:3: ./sluice tail completions --max N",
                "x.md:1: ./sluice top [--refresh PT2S] [--by model|tenant]");
        assertThat(argumentLists(found.get(0))).containsExactly(
                List.of("bench", "saturation", "--prompts", "1", "--time-scale", "1"));
        assertThat(argumentLists(found.get(2))).containsExactly(
                List.of("top", "--refresh", "PT2S", "--by", "model"), List.of("top", "--refresh", "PT2S", "--by",
                        "tenant"));
        found.forEach(command -> argumentLists(command).forEach(args -> parse(command, args)));
    }

}
