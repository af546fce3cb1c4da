package dev.sluice.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a model's licence asks of whoever uses its answers, one line per condition code of the catalog, so that every
 * completion carries the terms its text came under. The wording follows {@code model-licenses.md} (condition codes,
 * section 11), which cites the licences: Llama 3.1 and 3.2 §1.b.i for "Built with Llama" and the naming rule, the
 * Qwen License §5(b) for "Built with Qwen", CC BY-NC 4.0 §1(i) and §3(a).
 */
public final class Obligations {

    /** By code, in the order a completion lists them: use restrictions first, then what a product must show. */
    private static final Map<String, String> BY_CODE = new LinkedHashMap<>();

    static {
        BY_CODE.put("NC", "non-commercial use only");
        BY_CODE.put("research-only", "research or evaluation only");
        BY_CODE.put("MAU>700M", "a product or service with more than 700 million monthly active users needs a licence"
                + " from the vendor");
        BY_CODE.put("MAU>100M", "a product or service with more than 100 million monthly active users needs a licence"
                + " from the vendor");
        BY_CODE.put("EU-multimodal", "the multimodal rights are not granted to individuals or companies domiciled in"
                + " the EU");
        BY_CODE.put("AUP", "use is bound by the vendor's acceptable-use policy");
        BY_CODE.put("MIL", "no military use");
        BY_CODE.put("FLOWDOWN", "the licence's use restrictions must be passed on in the agreement with whoever"
                + " receives the outputs or the service");
        BY_CODE.put("OUT-RESTRICTED", "the outputs themselves are restricted by the licence");
        BY_CODE.put("DISTILL-DERIV", "a model trained on the outputs is a derivative under the licence");
        BY_CODE.put("NAME", "a model trained on the outputs and distributed must have a name that starts with"
                + " \"Llama\"");
    }

    private Obligations() {}

    /** {@code CODE: what it asks}, for each of the model's conditions that asks something, in a fixed order. */
    public static List<String> of(CatalogModel model) {
        List<String> obligations = new ArrayList<>();
        BY_CODE.forEach((code, text) -> {
            if (model.has(code)) {
                obligations.add(code + ": " + text);
            }
        });
        if (model.has("ATTR")) {
            obligations.add("ATTR: " + attribution(model.license()));
        }
        return List.copyOf(obligations);
    }

    private static String attribution(String license) {
        String id = license.toLowerCase(Locale.ROOT);
        if (id.startsWith("llama")) {
            return "display \"Built with Llama\" where the product or service is documented, and keep the licence's"
                    + " Notice";
        }
        if (id.contains("qwen")) {
            return "a model trained or improved on the outputs and distributed must display \"Built with Qwen\" or"
                    + " \"Improved using Qwen\"";
        }
        return "credit the licensor as the licence requires when sharing";
    }
}
