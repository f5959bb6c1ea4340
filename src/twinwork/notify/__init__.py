"""In-app notifications (the header's bell, /notifications) and the e-mails that go with them."""
