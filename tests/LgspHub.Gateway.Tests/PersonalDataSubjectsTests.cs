using System.Text;
using LgspHub.Gateway.Access;

namespace LgspHub.Gateway.Tests;

public class PersonalDataSubjectsTests
{
    private const string Json = "application/json";

    [Theory]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public void A_body_in_another_charset_or_type_is_refused_as_unsupported(string? contentType)
    {
        var (_, problem) = PersonalDataSubjects.FromRequestBody(Encoding.UTF8.GetBytes("{\"personalId\": \"049085000123\"}"), contentType);

        Assert.Equal(415, problem?.Status);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=\"UTF-8\"")]
    [InlineData("application/problem+json")]
    public void A_utf8_json_body_is_read(string contentType)
    {
        var (subjects, problem) = PersonalDataSubjects.FromRequestBody(Encoding.UTF8.GetBytes("{\"personalId\": \"049085000123\"}"), contentType);

        Assert.Null(problem);
        Assert.Equal(["049085000123"], subjects);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_a_bad_request()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes("{\"personalId\": \"0490850001"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")];

        Assert.Equal(400, PersonalDataSubjects.FromRequestBody(body, Json).Problem?.Status);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"personalId\": \"049085000123\",}")]
    [InlineData("{\"personalId\": 49085000123}")]
    [InlineData("{\"from\": {\"personalId\": {\"deep\": [1]}}}")]
    [InlineData("{\"personalId\": \"049085000123\", \"PERSONALID\": \"049085000124\"}")]
    public void A_body_whose_people_cannot_all_be_read_is_a_bad_request(string body)
    {
        Assert.Equal(400, PersonalDataSubjects.FromRequestBody(Encoding.UTF8.GetBytes(body), Json).Problem?.Status);
    }

    [Fact]
    public void Every_person_a_body_names_is_found_at_any_depth_and_in_any_case()
    {
        const string body = """
            {"motherPersonalId": "049185000001", "FATHERPERSONALID": "049085000002", "from": {"personalId": "049085000003"},
             "to": {"personal\u0049d": "049185000004"}, "witnesses": [{"personalId": "049085000005"}], "note": "not 049085000006"}
            """;

        var (subjects, problem) = PersonalDataSubjects.FromRequestBody(Encoding.UTF8.GetBytes(body), Json);

        Assert.Null(problem);
        Assert.Equal(["049185000001", "049085000002", "049085000003", "049185000004", "049085000005"], subjects);
    }

    [Fact]
    public void A_byte_order_mark_is_skipped_as_the_agencies_skip_it()
    {
        byte[] body = [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes("{\"personalId\": \"049085000123\"}")];

        Assert.Equal(["049085000123"], PersonalDataSubjects.FromRequestBody(body, Json).Subjects);
    }

    [Fact]
    public void An_answer_shows_people_in_any_field_array_or_sentence_but_not_in_longer_numbers()
    {
        const string answer = """
            {"owners": [{"personalId": "049085000007"}], "steps": [{"result": "Personal ID 049226000141 issued; residence registered."}],
             "cardNumber": "GD449490850001234", "serial": 1049085000123, "motherPersonalId": "049185000008"}
            """;

        var found = PersonalDataSubjects.FromAnswer(Encoding.UTF8.GetBytes(answer), "application/json; charset=utf-8").Order().ToList();

        Assert.Equal(["049085000007", "049185000008", "049226000141"], found);
    }

    [Fact]
    public void An_answer_that_is_not_json_is_read_as_text()
    {
        Assert.Equal(["049085000007"], PersonalDataSubjects.FromAnswer(Encoding.UTF8.GetBytes("owner 049085000007."), "text/plain"));
    }
}
