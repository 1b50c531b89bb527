using System.Text.Json;

namespace LgspHub.Contracts.Tests;

public class PersonalIdTests
{
    [Theory]
    [InlineData("049", Sex.Male, 1985, 123, "049085000123")]
    [InlineData("049", Sex.Female, 1985, 123, "049185000123")]
    [InlineData("001", Sex.Male, 2019, 999_999, "001219999999")]
    [InlineData("079", Sex.Female, 2024, 42, "079324000042")]
    [InlineData("052", Sex.Female, 2101, 7, "052501000007")]
    public void Create_encodes_province_century_sex_year_and_serial(string province, Sex sex, int year, int serial, string expected)
    {
        var id = PersonalId.Create(province, sex, year, serial);

        Assert.Equal(expected, id.Value);
        Assert.Equal(province, id.ProvinceCode);
        Assert.Equal(sex, id.Sex);
        Assert.Equal(year, id.BirthYear);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("04908500012")]
    [InlineData("0490850001234")]
    [InlineData("04908500012a")]
    [InlineData("04908500012٣")]
    [InlineData(" 49085000123")]
    public void Parsing_rejects_anything_but_twelve_ascii_digits(string? candidate)
    {
        Assert.False(PersonalId.TryParse(candidate, out _));
        Assert.False(PersonalId.IsWellFormed(candidate));
    }

    [Fact]
    public void Create_rejects_impossible_parts()
    {
        Assert.Throws<ArgumentException>(() => PersonalId.Create("49", Sex.Male, 1990, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PersonalId.Create("049", Sex.Male, 1899, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PersonalId.Create("049", Sex.Male, 1990, 1_000_000));
    }

    [Fact]
    public void Json_carries_the_twelve_digits_as_a_string()
    {
        var id = PersonalId.Parse("049085000123", null);

        var json = JsonSerializer.Serialize(new { Id = id });

        Assert.Equal("""{"Id":"049085000123"}""", json);
        Assert.Equal(id, JsonSerializer.Deserialize<PersonalId>("\"049085000123\""));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PersonalId>("\"12345\""));
    }
}
