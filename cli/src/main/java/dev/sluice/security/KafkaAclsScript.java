package dev.sluice.security;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.ResourcePattern;

/**
 * ACL bindings as {@code kafka-acls.sh --add} command lines, for an operator who creates them with Kafka's own
 * tool rather than through Sluice. The bindings of one principal on one resource share a line, one
 * {@code --operation} each, in the order given.
 *
 * @param bootstrapServers what the lines pass as {@code --bootstrap-server}, e.g. {@code "$BOOTSTRAP"}
 * @param commandConfig the admin client's properties file, {@code --command-config}
 */
public record KafkaAclsScript(String bootstrapServers, String commandConfig) {

    /** One line per principal and resource. */
    public List<String> lines(List<AclBinding> bindings) {
        Map<Grant, List<AclOperation>> grouped = new LinkedHashMap<>();
        for (AclBinding binding : bindings) {
            AccessControlEntry entry = binding.entry();
            if (entry.permissionType() != AclPermissionType.ALLOW) {
                throw new IllegalArgumentException("only ALLOW bindings are rendered: " + binding);
            }
            grouped.computeIfAbsent(new Grant(entry.principal(), entry.host(), binding.pattern()),
                    grant -> new ArrayList<>()).add(entry.operation());
        }
        List<String> lines = new ArrayList<>();
        grouped.forEach((grant, operations) -> lines.add(line(grant, operations)));
        return List.copyOf(lines);
    }

    private String line(Grant grant, List<AclOperation> operations) {
        StringBuilder line = new StringBuilder("kafka-acls.sh --bootstrap-server ").append(bootstrapServers)
                .append(" --command-config ").append(commandConfig)
                .append(" --add --allow-principal ").append(grant.principal());
        if (!grant.host().equals("*")) {
            line.append(" --allow-host ").append(grant.host());
        }
        operations.forEach(operation -> line.append(" --operation ").append(camelCase(operation)));
        String patternType = grant.pattern().patternType().name().toLowerCase(Locale.ROOT);
        return line.append(' ').append(resource(grant.pattern()))
                .append(" --resource-pattern-type ").append(patternType).toString();
    }

    private static String resource(ResourcePattern pattern) {
        return switch (pattern.resourceType()) {
            case TOPIC -> "--topic " + pattern.name();
            case GROUP -> "--group " + pattern.name();
            case TRANSACTIONAL_ID -> "--transactional-id " + pattern.name();
            default -> throw new IllegalArgumentException("no kafka-acls.sh option for " + pattern);
        };
    }

    /** {@code DESCRIBE_CONFIGS} as the tool spells it: {@code DescribeConfigs}. */
    private static String camelCase(AclOperation operation) {
        StringBuilder name = new StringBuilder();
        for (String word : operation.name().split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return name.toString();
    }

    private record Grant(String principal, String host, ResourcePattern pattern) {}
}
