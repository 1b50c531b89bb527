using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LgspHub.Contracts;

/// <summary>
/// The 12-digit personal identification number (số định danh cá nhân) printed on the CCCD:
/// 3 digits province of birth registration, 1 digit century and sex, 2 digits year of birth,
/// 6 digits serial.
/// </summary>
[JsonConverter(typeof(PersonalIdJsonConverter))]
public readonly record struct PersonalId : IParsable<PersonalId>
{
    public const int Length = 12;

    private PersonalId(string value) => Value = value;

    public string Value { get; }

    public string ProvinceCode => Value[..3];

    public Sex Sex => (Value[3] - '0') % 2 == 0 ? Sex.Male : Sex.Female;

    public int BirthYear => 1900 + (Value[3] - '0') / 2 * 100 + int.Parse(Value.AsSpan(4, 2), CultureInfo.InvariantCulture);

    public static PersonalId Create(string provinceCode, Sex sex, int birthYear, int serial)
    {
        if (provinceCode.Length != 3 || !provinceCode.All(char.IsAsciiDigit))
            throw new ArgumentException("A province code has 3 digits.", nameof(provinceCode));
        if (birthYear is < 1900 or > 2399)
            throw new ArgumentOutOfRangeException(nameof(birthYear), "Personal IDs encode years 1900 to 2399.");
        ArgumentOutOfRangeException.ThrowIfNegative(serial);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(serial, 999_999);

        var centuryAndSex = (birthYear - 1900) / 100 * 2 + (sex == Sex.Female ? 1 : 0);
        return new PersonalId($"{provinceCode}{centuryAndSex}{birthYear % 100:D2}{serial:D6}");
    }

    public static bool IsWellFormed([NotNullWhen(true)] string? value) =>
        value is { Length: Length } && value.All(char.IsAsciiDigit);

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out PersonalId result)
    {
        result = IsWellFormed(s) ? new PersonalId(s) : default;
        return result.Value is not null;
    }

    public static bool TryParse([NotNullWhen(true)] string? s, out PersonalId result) => TryParse(s, null, out result);

    public static PersonalId Parse(string s, IFormatProvider? provider = null) =>
        TryParse(s, provider, out var id) ? id : throw new FormatException("A personal ID has exactly 12 digits.");

    public override string ToString() => Value;
}

public enum Sex
{
    Male,
    Female,
}

internal sealed class PersonalIdJsonConverter : JsonConverter<PersonalId>
{
    public override PersonalId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        PersonalId.TryParse(reader.GetString(), out var id) ? id : throw new JsonException("A personal ID has exactly 12 digits.");

    public override void Write(Utf8JsonWriter writer, PersonalId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
