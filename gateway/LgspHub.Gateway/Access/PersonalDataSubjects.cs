using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using LgspHub.Contracts;

namespace LgspHub.Gateway.Access;

/// <summary>A request the gateway refuses because it cannot read who it is about: the status and what to say.</summary>
public sealed record UnreadableRequest(int Status, string Detail);

/// <summary>
/// Finds the people a personal-data operation touches, for the audit: personal IDs in the route and the
/// request body (every value of a property named <c>...personalId</c>, at any depth, in any case, as the
/// agencies' binders match names), and every personal ID in the answer. What cannot be read is refused
/// rather than forwarded unaudited: a body in another charset, bytes that are not UTF-8, JSON that does not
/// parse, a personal-ID property that is not a string.
/// </summary>
public static class PersonalDataSubjects
{
    private const string Suffix = "personalId";

    /// <summary>Personal IDs among the route values (<c>{personalId}</c> and the like).</summary>
    public static IEnumerable<string> FromRoute(RouteValueDictionary values) =>
        values.Where(v => v.Key.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase))
            .Select(v => v.Value?.ToString())
            .Where(PersonalId.IsWellFormed)!;

    /// <summary>
    /// The personal IDs a request body names, or why it cannot be read. JSON exchanged between systems is
    /// UTF-8 (RFC 8259 §8.1): a body declared in another charset is a 415, because the agency would decode it
    /// while the gateway read other characters.
    /// </summary>
    public static (List<string> Subjects, UnreadableRequest? Problem) FromRequestBody(ReadOnlyMemory<byte> body, string? contentType)
    {
        var subjects = new List<string>();
        if (body.IsEmpty)
            return (subjects, null);
        if (!IsUtf8Json(contentType))
            return (subjects, new(StatusCodes.Status415UnsupportedMediaType, "A personal-data request body is JSON in UTF-8: Content-Type application/json, with no other charset."));
        if (!Utf8.IsValid(body.Span))
            return (subjects, new(StatusCodes.Status400BadRequest, "The request body is not valid UTF-8."));
        try
        {
            using var document = JsonDocument.Parse(WithoutBom(body));
            return Collect(document.RootElement, "", subjects) is { } problem ? (subjects, new(StatusCodes.Status400BadRequest, problem)) : (subjects, null);
        }
        catch (JsonException)
        {
            return (subjects, new(StatusCodes.Status400BadRequest, "The request body is not well-formed JSON."));
        }
    }

    /// <summary>
    /// Every personal ID an answer shows: any run of exactly twelve digits in its strings and numbers (JSON) or
    /// in its text (anything else), so IDs in nested objects, arrays or a step's sentence are found alike. A run
    /// that is not a person costs a needless audit row, never a missed one.
    /// </summary>
    public static IEnumerable<string> FromAnswer(ReadOnlyMemory<byte> body, string? contentType)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (body.IsEmpty)
            return found;
        if (IsJson(contentType) && Utf8.IsValid(body.Span))
        {
            try
            {
                using var document = JsonDocument.Parse(WithoutBom(body), new JsonDocumentOptions { MaxDepth = 256 });
                ScanValues(document.RootElement, found);
                return found;
            }
            catch (JsonException)
            {
                // Declared JSON that is not: read it as text below.
            }
        }
        ScanText(Encoding.UTF8.GetString(body.Span), found);
        return found;
    }

    private static string? Collect(JsonElement element, string path, List<string> subjects)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                HashSet<string>? named = null;
                foreach (var property in element.EnumerateObject())
                {
                    var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (property.Name.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase))
                    {
                        // Which of two the agency's binder takes is its business; the gateway does not guess.
                        if (!(named ??= new(StringComparer.OrdinalIgnoreCase)).Add(property.Name))
                            return $"The body names \"{Shorten(at)}\" more than once.";
                        if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                            return $"\"{Shorten(at)}\" must be a string: a personal ID of {PersonalId.Length} digits.";
                        if (property.Value.GetString() is { } value && PersonalId.IsWellFormed(value))
                            subjects.Add(value);
                    }
                    else if (Collect(property.Value, at, subjects) is { } problem)
                        return problem;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                    if (Collect(item, $"{path}[{index++}]", subjects) is { } problem)
                        return problem;
                return null;
            default:
                return null;
        }
    }

    private static void ScanValues(JsonElement element, HashSet<string> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    ScanText(property.Name, found);
                    ScanValues(property.Value, found);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    ScanValues(item, found);
                break;
            case JsonValueKind.String:
                ScanText(element.GetString()!, found);
                break;
            case JsonValueKind.Number:
                ScanText(element.GetRawText(), found);
                break;
        }
    }

    /// <summary>Runs of exactly <see cref="PersonalId.Length"/> ASCII digits (a longer run is some other number).</summary>
    private static void ScanText(string text, HashSet<string> found)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var digit = i < text.Length && char.IsAsciiDigit(text[i]);
            if (digit && start < 0)
                start = i;
            else if (!digit && start >= 0)
            {
                if (i - start == PersonalId.Length)
                    found.Add(text.Substring(start, PersonalId.Length));
                start = -1;
            }
        }
    }

    private static bool IsJson(string? contentType) => IsJson(contentType, out _);

    private static bool IsJson(string? contentType, out string? charset)
    {
        charset = null;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType is not { } type)
            return false;
        charset = media.CharSet?.Trim('"');
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsUtf8Json(string? contentType) =>
        IsJson(contentType, out var charset)
        && (string.IsNullOrEmpty(charset) || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));

    /// <summary>The agencies' binders read a body from a stream, which skips a UTF-8 byte-order mark; so does the gateway.</summary>
    private static ReadOnlyMemory<byte> WithoutBom(ReadOnlyMemory<byte> body) =>
        body.Span.StartsWith(Encoding.UTF8.Preamble) ? body[Encoding.UTF8.Preamble.Length..] : body;

    private static string Shorten(string path) => path.Length <= 100 ? path : path[..100] + "…";
}
