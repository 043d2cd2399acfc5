/**
 * @module Slash command definitions with English names and Korean localisations, and their
 * registration at startup: guild-scoped when DISCORD_GUILD_ID is set (changes show at once),
 * global otherwise (Discord may take up to an hour to show changes to global commands).
 */
import {
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  SlashCommandBuilder,
} from 'discord.js';

/** Maximum text length of `/sentiment`, because Discord caps string options at 6000 characters. */
export const MAX_OPTION_TEXT = 6000;

export const COMMAND = {
  sentiment: 'sentiment',
  digit: 'digit',
  model: 'model',
  help: 'help',
  privacy: 'privacy',
} as const;

export const OPTION = {
  text: 'text',
  language: 'language',
  image: 'image',
  feedback: 'feedback',
  scope: 'scope',
} as const;

function base(name: string, nameKo: string, description: string, descriptionKo: string) {
  return new SlashCommandBuilder()
    .setName(name)
    .setNameLocalizations({ ko: nameKo })
    .setDescription(description)
    .setDescriptionLocalizations({ ko: descriptionKo })
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);
}

/**
 * Builds the JSON bodies of every command.
 *
 * @param maxTextChars Longest review the classifier accepts (MAX_TEXT_CHARS), capped at 6000.
 */
export function buildCommands(
  maxTextChars: number,
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const sentiment = base(
    COMMAND.sentiment,
    '감정분석',
    'Classify a review as positive or negative',
    '리뷰가 긍정인지 부정인지 분류합니다',
  )
    .addStringOption((option) =>
      option
        .setName(OPTION.text)
        .setNameLocalizations({ ko: '리뷰' })
        .setDescription('The review to classify, in Korean or English')
        .setDescriptionLocalizations({ ko: '분류할 리뷰 (한국어 또는 영어)' })
        .setRequired(true)
        .setMaxLength(Math.min(maxTextChars, MAX_OPTION_TEXT)),
    )
    .addStringOption((option) =>
      option
        .setName(OPTION.language)
        .setNameLocalizations({ ko: '언어' })
        .setDescription('Model language; detected from the text when left out')
        .setDescriptionLocalizations({ ko: '모델 언어. 생략하면 글에서 알아냅니다' })
        .addChoices(
          { name: 'Korean', name_localizations: { ko: '한국어' }, value: 'ko' },
          { name: 'English', name_localizations: { ko: '영어' }, value: 'en' },
        ),
    );

  const digit = base(
    COMMAND.digit,
    '숫자',
    'Read a hand-drawn digit or number from an image',
    '이미지에서 손으로 쓴 숫자를 읽습니다',
  ).addAttachmentOption((option) =>
    option
      .setName(OPTION.image)
      .setNameLocalizations({ ko: '이미지' })
      .setDescription('PNG, JPEG, WebP or GIF image of the digit')
      .setDescriptionLocalizations({ ko: '숫자가 담긴 PNG, JPEG, WebP, GIF 이미지' })
      .setRequired(true),
  );

  const model = base(
    COMMAND.model,
    '모델',
    'Show model versions, accuracy and backend',
    '모델 버전, 정확도, 백엔드를 보여 줍니다',
  );

  const help = base(
    COMMAND.help,
    '도움말',
    'How to use nunchi, what it stores, and how to opt out',
    'nunchi 사용법, 저장하는 정보, 저장 거부 방법',
  );

  const privacy = base(
    COMMAND.privacy,
    '개인정보',
    'Show or change whether your feedback labels are stored',
    '피드백 레이블 저장 여부를 보거나 바꿉니다',
  )
    .addStringOption((option) =>
      option
        .setName(OPTION.feedback)
        .setNameLocalizations({ ko: '피드백' })
        .setDescription('Store feedback labels (on) or not (off)')
        .setDescriptionLocalizations({ ko: '피드백 레이블 저장 켜기 또는 끄기' })
        .addChoices(
          { name: 'on', name_localizations: { ko: '켜기' }, value: 'on' },
          { name: 'off', name_localizations: { ko: '끄기' }, value: 'off' },
        ),
    )
    .addStringOption((option) =>
      option
        .setName(OPTION.scope)
        .setNameLocalizations({ ko: '범위' })
        .setDescription('Apply to you (default) or to the whole server')
        .setDescriptionLocalizations({ ko: '나에게만(기본) 또는 서버 전체에 적용' })
        .addChoices(
          { name: 'me', name_localizations: { ko: '나' }, value: 'user' },
          { name: 'server', name_localizations: { ko: '서버' }, value: 'guild' },
        ),
    );

  return [sentiment, digit, model, help, privacy].map((builder) => builder.toJSON());
}
