package dev.sluice.bench;

/** The benchmarks' prompts: about 128 tokens each, asking for up to 128, in English and Japanese. */
final class Workload {

    static final int MAX_TOKENS = 128;

    private static final String ENGLISH = "Summarize the following support ticket in one sentence. The customer "
            + "reports that the nightly export to the data warehouse failed twice this week, each time after the "
            + "schema of the orders table changed, and asks whether the export can tolerate new columns. Ticket ";
    private static final String JAPANESE = "次の問い合わせを一文で要約してください。顧客によると、今週は夜間のデータ連携が二回失敗し、"
            + "どちらも注文テーブルの項目が増えた直後でした。問い合わせ番号 ";

    private Workload() {}

    static String prompt(int i) {
        return (i % 4 == 3 ? JAPANESE : ENGLISH) + i + ".";
    }
}
