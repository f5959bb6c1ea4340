"""The personal AI assistant: answers new clients in the freelancer's name from the
freelancer's own facts (tools and retrieved passages, never a model's memory), checks every
number and promise before it is sent, and hands the conversation over when it should."""
