using LgspHub.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LgspHub.ServiceDefaults;

/// <summary>Collects every field error of a request, so one 400 names them all.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
            _errors[field] = messages = [];
        messages.Add(message);
    }

    public PersonalId? RequirePersonalId(string field, string? value)
    {
        if (PersonalId.TryParse(value, out var id))
            return id;
        Add(field, $"A personal ID of exactly {PersonalId.Length} digits is required.");
        return null;
    }

    public void RequireName(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 2)
            Add(field, "A full name of at least a family name and a given name is required.");
        else if (value.Length > 100)
            Add(field, "A full name has at most 100 characters.");
    }

    public void RequirePastDate(string field, DateOnly? value, TimeProvider clock)
    {
        if (value is not { } date)
            Add(field, "A date (yyyy-MM-dd) is required.");
        else if (date > DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))
            Add(field, "The date cannot be in the future.");
        else if (date.Year < 1900)
            Add(field, "The date cannot be before 1900.");
    }

    public ValidationProblem Problem() =>
        TypedResults.ValidationProblem(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}
