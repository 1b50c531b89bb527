using Microsoft.AspNetCore.Http.HttpResults;

namespace LgspHub.Gateway.Access;

/// <summary>
/// Personal-data operations need a declared purpose (the public-service code) and the officer
/// acting, as real LGSP population calls carry them; the personal-data law asks that every
/// processing has a purpose and is logged.
/// </summary>
public static class PersonalDataPurpose
{
    public const string PurposeHeader = "X-Lgsp-Purpose";
    public const string OfficerHeader = "X-Lgsp-Officer";

    public static async Task RequireAsync(HttpContext context, Func<Task> next)
    {
        if (Operation.Of(context) is { PersonalData: true })
        {
            var errors = new Dictionary<string, string[]>();
            if (!IsCode(context.Request.Headers[PurposeHeader]))
                errors[PurposeHeader] = ["Personal-data operations need the purpose: a public-service code (letters, digits, '.', '-', '_'; at most 64)."];
            if (!IsCode(context.Request.Headers[OfficerHeader]))
                errors[OfficerHeader] = ["Personal-data operations need the code of the officer acting (letters, digits, '.', '-', '_'; at most 64)."];
            if (errors.Count > 0)
            {
                await TypedResults.ValidationProblem(errors).ExecuteAsync(context);
                return;
            }
        }
        await next();
    }

    private static bool IsCode(Microsoft.Extensions.Primitives.StringValues values) =>
        values is [{ Length: > 0 and <= 64 } value] && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}
