namespace LgspHub.Benchmarks.Tests;

public class FiguresTests
{
    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        Assert.Equal(3, Figures.Median([5, 1, 3]));
        Assert.Equal(2.5, Figures.Median([4, 1, 3, 2]));
    }

    [Fact]
    public void A_cell_is_the_median_then_the_range_with_thousands_separators()
    {
        Assert.Equal("4,917 (3,708–5,258)", Figures.Cell([5258, 3708, 4917]));
        Assert.Equal("25.1 (22.9–37.0)", Figures.Cell([37.04, 22.9, 25.1], 1));
    }

    [Fact]
    public void A_ratio_cell_has_two_decimals_and_a_share_is_a_whole_percentage()
    {
        Assert.Equal("0.62 (0.53–0.63)", Figures.RatioCell([0.6249, 0.53, 0.63]));
        Assert.Equal("14%", Figures.Percent(0.14));
        Assert.Equal("-2%", Figures.Percent(-0.02));
        Assert.Equal("14.3%", Figures.Percent(0.1432, 1));
    }
}
