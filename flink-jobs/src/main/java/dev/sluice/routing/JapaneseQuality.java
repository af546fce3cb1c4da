package dev.sluice.routing;

/** The article's Japanese-quality ratings (非常に良好, 良好, 中程度, 限定的), highest first. */
public enum JapaneseQuality {
    EXCELLENT(3), GOOD(2), MODERATE(1), LIMITED(0);

    private final int points;

    JapaneseQuality(int points) {
        this.points = points;
    }

    public int points() {
        return points;
    }
}
